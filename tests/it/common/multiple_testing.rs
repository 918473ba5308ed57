//! Many hypothesis tests read as one: the family-wise false-alarm rate of a set of
//! tests, whatever the dependence between them.

/// Holm's step-down adjusted p-values (Holm 1979, "A simple sequentially rejective
/// multiple test procedure"), in the order of `p`.
///
/// Rejecting every hypothesis whose adjusted p-value is at most α keeps the
/// family-wise error rate (the chance of rejecting at least one true hypothesis) at
/// most α for any dependence between the tests, and rejects everything Bonferroni's
/// p ≤ α/m rejects. The k-th smallest of m p-values is adjusted to
/// max over j ≤ k of min(1, (m − j + 1)·p₍ⱼ₎), as R's `p.adjust(p, "holm")`.
pub fn holm_adjusted(p: &[f64]) -> Vec<f64> {
    assert!(p.iter().all(|x| (0.0..=1.0).contains(x)), "p-values must lie in [0, 1]: {p:?}");
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut adjusted = vec![0.0; m];
    let mut largest = 0.0f64;
    for (j, &i) in order.iter().enumerate() {
        largest = largest.max(((m - j) as f64 * p[i]).min(1.0));
        adjusted[i] = largest;
    }
    adjusted
}

#[test]
fn holm_matches_the_textbook_examples() {
    // R: p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm") = 0.05 0.08 0.09 0.09 0.09.
    let near = |got: Vec<f64>, want: &[f64]| {
        assert_eq!(got.len(), want.len());
        assert!(got.iter().zip(want).all(|(g, w)| (g - w).abs() < 1e-12), "{got:?} against {want:?}");
    };
    near(holm_adjusted(&[0.01, 0.02, 0.03, 0.04, 0.05]), &[0.05, 0.08, 0.09, 0.09, 0.09]);
    // Four hypotheses at α = 0.05 (the example of the Holm–Bonferroni article):
    // 0.005 ≤ 0.05/4 and 0.01 ≤ 0.05/3 are rejected; 0.03 > 0.05/2 stops the procedure,
    // so 0.04 is kept although it is below 0.05.
    let p = [0.01, 0.04, 0.03, 0.005];
    let rejected: Vec<bool> = holm_adjusted(&p).iter().map(|a| *a <= 0.05).collect();
    assert_eq!(rejected, [true, false, false, true]);
    // Capped at 1, order kept, ties alike.
    near(holm_adjusted(&[0.6, 0.2, 0.6]), &[1.0, 0.6, 1.0]);
    near(holm_adjusted(&[]), &[]);
}
