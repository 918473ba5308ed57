//! Smooth regression of a value on one or a few parameters: the conditional expectation
//! E[y | θ] that the value of partial perfect information is made of
//! ([`crate::analysis::decision`]).
//!
//! A value's dependence on a parameter is smooth but of unknown shape, so the fit is a
//! natural (restricted) cubic regression spline in each parameter, with knots at the
//! parameter's quantiles (Harrell, *Regression Modeling Strategies*, 2015, §2.4.5):
//! cubic between knots, linear beyond the outer ones, so it neither wiggles at the ends
//! of the sample nor needs a smoothing penalty. The number of knots is chosen by
//! generalised cross-validation (GCV = n·RSS / (n − p)²) among 0 (a straight line) and
//! 3–7, keeping at least [`ROWS_PER_COLUMN`] rows per column so the fit cannot chase
//! noise. A group of parameters gets an additive spline in each plus the products of
//! every pair (a linear-by-linear interaction), for at most [`MAX_GROUP`] parameters.
//! The least-squares solve is nalgebra's singular value decomposition, which copes with
//! a column that is constant or repeats another.

use nalgebra::{DMatrix, DVector};

/// The most parameters one group may hold: beyond this the additive-plus-pairs basis
/// needs more outer draws than a run usually has, and a joint effect of many parameters
/// is better read as the value of perfect information itself.
pub const MAX_GROUP: usize = 6;

/// Rows (outer draws) needed per column of the basis: fewer would let the fitted values
/// follow the noise and overstate the value of information.
pub const ROWS_PER_COLUMN: usize = 10;

/// Knot positions as quantiles of the parameter, by number of knots (Harrell's defaults).
const KNOT_QUANTILES: [&[f64]; 5] = [
    &[0.10, 0.5, 0.90],
    &[0.05, 0.35, 0.65, 0.95],
    &[0.05, 0.275, 0.5, 0.725, 0.95],
    &[0.05, 0.23, 0.41, 0.59, 0.77, 0.95],
    &[0.025, 0.1833, 0.3417, 0.5, 0.6583, 0.8167, 0.975],
];

/// Why a regression could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    /// Even the straight-line basis has too many columns for the rows.
    #[error(
        "{rows} outer draws are too few: a regression on {parameters} parameter(s) needs at least {needed}"
    )]
    TooFewRows {
        /// Rows available.
        rows: usize,
        /// Parameters regressed on.
        parameters: usize,
        /// Rows the smallest basis needs.
        needed: usize,
    },
    /// More parameters than [`MAX_GROUP`].
    #[error("a group of {parameters} parameters is more than the {MAX_GROUP} a regression can take")]
    GroupTooLarge {
        /// Parameters in the group.
        parameters: usize,
    },
}

/// The fitted values of regressions of several responses on the same parameters.
///
/// `x[j]` holds row j's parameter values; each response has one value per row. Each
/// response chooses its own number of knots by GCV. The fitted values of each response
/// have the response's mean (the basis has an intercept).
pub fn fitted_values(x: &[Vec<f64>], responses: &[Vec<f64>]) -> Result<Vec<Vec<f64>>, FitError> {
    let rows = x.len();
    let d = x.first().map(Vec::len).unwrap_or(0);
    if d > MAX_GROUP {
        return Err(FitError::GroupTooLarge { parameters: d });
    }
    let columns_for = |knots: usize| 1 + d * knots.saturating_sub(1).max(1) + d * d.saturating_sub(1) / 2;
    let needed = columns_for(0) * ROWS_PER_COLUMN;
    if rows < needed {
        return Err(FitError::TooFewRows { rows, parameters: d, needed });
    }
    let bases: Vec<DMatrix<f64>> = [0usize, 3, 4, 5, 6, 7]
        .into_iter()
        .filter(|&k| columns_for(k) * ROWS_PER_COLUMN <= rows)
        .map(|k| design(x, k))
        .collect();
    let solvers: Vec<_> = bases.iter().map(|b| b.clone().svd(true, true)).collect();
    Ok(responses
        .iter()
        .map(|y| {
            let y = DVector::from_column_slice(y);
            let mut best: Option<(f64, DVector<f64>)> = None;
            for (basis, svd) in bases.iter().zip(&solvers) {
                let Ok(beta) = svd.solve(&y, 1e-10) else { continue };
                let fit = basis * beta;
                let rss = (&y - &fit).norm_squared();
                let p = svd.rank(1e-10).max(1);
                let gcv = rows as f64 * rss / ((rows - p.min(rows - 1)) as f64).powi(2);
                if best.as_ref().is_none_or(|(g, _)| gcv < *g) {
                    best = Some((gcv, fit));
                }
            }
            best.map(|(_, f)| f.as_slice().to_vec()).unwrap_or_else(|| {
                let mean = y.mean();
                vec![mean; rows]
            })
        })
        .collect())
}

/// The design matrix: an intercept, per parameter its natural-spline columns with
/// `knots` knots (0: the parameter alone), and the products of every pair of
/// (standardised) parameters.
fn design(x: &[Vec<f64>], knots: usize) -> DMatrix<f64> {
    let rows = x.len();
    let d = x.first().map(Vec::len).unwrap_or(0);
    let mut columns: Vec<Vec<f64>> = vec![vec![1.0; rows]];
    let standardised: Vec<Vec<f64>> = (0..d).map(|p| standardise(x.iter().map(|r| r[p]))).collect();
    for z in &standardised {
        columns.extend(spline_columns(z, knots));
    }
    for a in 0..d {
        for b in a + 1..d {
            columns.push((0..rows).map(|j| standardised[a][j] * standardised[b][j]).collect());
        }
    }
    DMatrix::from_fn(rows, columns.len(), |j, c| columns[c][j])
}

/// `values` centred on their mean and scaled to unit standard deviation (only centred
/// if they do not vary), so that the columns of the design are of like size.
fn standardise(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let v: Vec<f64> = values.collect();
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n).sqrt();
    let scale = if sd > 0.0 { sd } else { 1.0 };
    v.iter().map(|x| (x - mean) / scale).collect()
}

/// The natural cubic spline columns of `z` with `knots` knots at its quantiles: `z`
/// itself and knots − 2 truncated-cubic terms that are linear beyond the outer knots.
/// Knots that coincide (a parameter with few distinct values) are merged; with fewer
/// than 3 distinct knots only `z` is returned.
fn spline_columns(z: &[f64], knots: usize) -> Vec<Vec<f64>> {
    let mut out = vec![z.to_vec()];
    if knots < 3 {
        return out;
    }
    let mut sorted = z.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut t: Vec<f64> = KNOT_QUANTILES[knots - 3].iter().map(|&q| quantile(&sorted, q)).collect();
    t.dedup_by(|a, b| (*a - *b).abs() <= 1e-12 * (1.0 + b.abs()));
    let k = t.len();
    if k < 3 {
        return out;
    }
    let cube = |v: f64| v.max(0.0).powi(3);
    let (last, before) = (t[k - 1], t[k - 2]);
    let norm = (last - t[0]).powi(2);
    for &tj in &t[..k - 2] {
        out.push(
            z.iter()
                .map(|&x| {
                    (cube(x - tj) - cube(x - before) * (last - tj) / (last - before)
                        + cube(x - last) * (before - tj) / (last - before))
                        / norm
                })
                .collect(),
        );
    }
    out
}

/// The `q` quantile of sorted values, interpolating between order statistics.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = q * (sorted.len() - 1) as f64;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize) -> Vec<Vec<f64>> {
        (0..n).map(|j| vec![j as f64 / (n - 1) as f64 * 4.0 - 2.0]).collect()
    }

    /// A straight line, and a natural cubic spline with the basis's own knots, are
    /// reproduced exactly: the basis spans them.
    #[test]
    fn a_line_is_fitted_exactly() {
        let x = grid(200);
        let y: Vec<f64> = x.iter().map(|r| 3.0 - 2.5 * r[0]).collect();
        let fit = fitted_values(&x, std::slice::from_ref(&y)).unwrap();
        assert!(fit[0].iter().zip(&y).all(|(f, y)| (f - y).abs() < 1e-9));
    }

    /// A smooth curve is followed closely: the fit of x² on [−2, 2] is within 2 % of its
    /// range everywhere.
    #[test]
    fn a_curve_is_followed() {
        let x = grid(400);
        let y: Vec<f64> = x.iter().map(|r| r[0] * r[0]).collect();
        let fit = fitted_values(&x, std::slice::from_ref(&y)).unwrap();
        let worst = fit[0].iter().zip(&y).map(|(f, y)| (f - y).abs()).fold(0.0, f64::max);
        assert!(worst < 0.08, "largest error {worst}");
    }

    /// A product of two parameters is in the group basis; a constant parameter does not
    /// break the fit.
    #[test]
    fn a_group_fits_a_pair_and_tolerates_a_constant() {
        let x: Vec<Vec<f64>> = (0..300).map(|j| vec![(j % 17) as f64, (j % 23) as f64 * 0.5, 7.0]).collect();
        let y: Vec<f64> = x.iter().map(|r| 1.0 + r[0] * r[1] - r[1]).collect();
        let fit = fitted_values(&x, std::slice::from_ref(&y)).unwrap();
        assert!(fit[0].iter().zip(&y).all(|(f, y)| (f - y).abs() < 1e-6));
    }

    /// Too few rows or too many parameters: refused, not overfitted.
    #[test]
    fn too_little_data_is_refused() {
        let x = grid(15);
        let y = vec![0.0; 15];
        assert_eq!(
            fitted_values(&x, &[y]),
            Err(FitError::TooFewRows { rows: 15, parameters: 1, needed: 20 })
        );
        let x = vec![vec![0.0; MAX_GROUP + 1]; 1000];
        assert_eq!(
            fitted_values(&x, &[vec![0.0; 1000]]),
            Err(FitError::GroupTooLarge { parameters: MAX_GROUP + 1 })
        );
    }
}
