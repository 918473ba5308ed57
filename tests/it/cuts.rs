//! Cuts and zero: a hire of `fte = 0` changes nothing, and a negative `fte` is a cut
//! from the baseline that mirrors a hire of the same size: the staff cost saved is
//! exactly the cost a hire adds, and with caseload feedback the outcomes move the
//! other way. A cut must leave staff, and is neither ramped up nor grant-funded.

use crate::common::*;
use trappe::analysis::outcomes::summarise;
use trappe::model::ARMS;
use trappe::schema::Effect;

/// 400 citizens on benefit who leave for a job at a staffing-sensitive 4 % a month,
/// 8 caseworkers at a reference caseload of 50, staffing elasticity `elasticity`,
/// and `hire` (a `[[staffing.hires]]` table, or nothing) for all of 2016.
fn case(elasticity: f64, hire: &str) -> String {
    let body = format!(
        r#"{}
[staffing]
baseline_fte = 8
caseload_ref = 50
elasticity = {elasticity}
{hire}
"#,
        benefit_to_job("0.04")
    );
    scenario(&body, 12, 200, &format!("staff_cost_per_fte_year = 600000\n{NO_REFUND}"))
}

/// A hire (or cut) of `fte` FTE for all of 2016, paid by the municipality.
fn hire(fte: f64) -> String {
    format!("[[staffing.hires]]\nname = \"change\"\nfte = {fte}\nstart = \"2016-01\"\n")
}

/// `fte = 0` is valid, and a run with it writes the same CSV files, byte for byte, as
/// a run of the scenario without the hire.
#[test]
fn a_hire_of_zero_gives_the_results_of_no_hire() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [("none", case(0.3, "")), ("zero", case(0.3, &hire(0.0)))] {
        std::fs::write(dir.path().join(format!("{name}.toml")), text).unwrap();
        let o = trappe(&["run", &format!("{name}.toml"), "-n", "40", "-q", "-o", name], dir.path());
        assert!(o.status.success(), "{}", texts(&o).1);
    }
    for file in csv_files(Engine::Count) {
        let read = |name: &str| std::fs::read(dir.path().join(name).join(file)).unwrap();
        assert!(read("none") == read("zero"), "{file} differs between no hire and a hire of 0 FTE");
    }
}

/// Without caseload feedback (elasticity 0) both arms move alike, so a cut of 2 FTE
/// changes the net cost by exactly the negative of what a hire of 2 FTE does, in
/// every replication, and no benefit money.
fn a_cut_mirrors_a_hire_without_feedback(engine: Engine) {
    let run = |fte: f64| {
        let m = model(&case(0.0, &hire(fte)));
        summarise(&m, &ARMS, &run_engine(&m, &ARMS, engine, 20, m.seed)).reps
    };
    let (hired, cut) = (run(2.0), run(-2.0));
    for (h, c) in hired.iter().zip(&cut) {
        let effect = |o: &trappe::analysis::outcomes::RepOutcomes, e: Effect| o.effects[e as usize];
        assert_eq!(effect(h, Effect::GrossBenefitSaving), 0.0, "{engine} engine");
        assert_eq!(effect(c, Effect::GrossBenefitSaving), 0.0, "{engine} engine");
        let (nh, nc) = (effect(h, Effect::NetMunicipalEffect), effect(c, Effect::NetMunicipalEffect));
        // Two FTE for 12 months at 600,000 a year.
        assert_eq!(nh, -1_200_000.0, "{engine} engine: the hire's net effect");
        assert_eq!(nc, -nh, "{engine} engine: the cut's net effect is the hire's negated");
        assert_eq!(effect(c, Effect::NetEffectPositive), 1.0, "{engine} engine: a cut alone saves money");
    }
}

/// With caseload feedback a hire lowers the caseload and a cut raises it, so the hire
/// adds self-supporting citizens and the cut loses them. On 200 replications (fixed
/// seed) each mean effect must be more than 4 Monte Carlo standard errors from 0 in
/// its direction: a false alarm on a correct engine has probability about 3e-5 each.
fn a_cut_moves_outcomes_the_other_way_with_feedback(engine: Engine) {
    let extra = |fte: f64| {
        let m = model(&case(0.5, &hire(fte)));
        let res = summarise(&m, &ARMS, &run_engine(&m, &ARMS, engine, 200, m.seed));
        res.effect_summaries[Effect::ExtraSelfSupporting as usize]
    };
    let (hired, cut) = (extra(2.0), extra(-2.0));
    assert!(hired.mean > 4.0 * hired.mcse, "{engine} engine: a hire adds {} ± {}", hired.mean, hired.mcse);
    assert!(cut.mean < -4.0 * cut.mcse, "{engine} engine: a cut loses {} ± {}", cut.mean, cut.mcse);
}

test_both_engines!(a_cut_mirrors_a_hire_without_feedback, a_cut_moves_outcomes_the_other_way_with_feedback);

/// A cut that leaves no caseworker is refused before any simulation, at the cut.
#[test]
fn a_cut_that_empties_the_staff_is_refused() {
    let e = error(&case(0.5, &hire(-8.0)));
    assert_eq!(
        e,
        "test.toml:36:7: key `staffing.hires[0].fte`: the cuts leave 0 caseworker FTE in 2016-01 (baseline 8, \
         hires and cuts then -8): a cut must leave some staff, so cut less than the baseline\n     36 | fte = -8"
    );
    assert!(error(&case(0.5, &hire(-9.5))).contains("the cuts leave -1.5 caseworker FTE in 2016-01"));
    // A hire in the same months makes room for the cut.
    let both = format!("{}\n{}", hire(-9.0), hire(2.0).replace("\"change\"", "\"new\""));
    model(&case(0.5, &both));
}

/// A cut takes effect at once and saves the municipality's money: a ramp-up or a
/// grant on it is refused.
#[test]
fn a_cut_has_no_ramp_up_and_no_grant() {
    let ramped = case(0.5, &format!("{}ramp_up_months = 2\n", hire(-2.0)));
    assert!(
        error(&ramped).contains(
            "key `staffing.hires[0].ramp_up_months`: a cut (fte = -2) takes effect in its first month: \
             ramp_up_months must be 0, got 2"
        ),
        "{}",
        error(&ramped)
    );
    let funded = case(
        0.5,
        &format!(
            "{}funded_by = \"pool\"\n[[grants]]\nname = \"pool\"\namounts = {{ 2016 = 1000 }}\n",
            hire(-2.0)
        ),
    );
    assert!(
        error(&funded).contains(
            "key `staffing.hires[0].funded_by`: a cut (fte = -2) saves the municipality's staff cost; a grant \
             cannot fund it"
        ),
        "{}",
        error(&funded)
    );
}

/// `trappe check` describes a cut as fewer staff, and `trappe run` words its staff
/// cost as a saving.
#[test]
fn a_cut_is_worded_as_a_saving() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cut.toml"), case(0.5, &hire(-2.0))).unwrap();
    let (out, err) = texts(&trappe(&["check", "cut.toml"], dir.path()));
    assert!(
        out.contains("cut: 2 FTE fewer change from 2016-01 to 2016-12 than in the counterfactual"),
        "{out}{err}"
    );
    assert!(out.contains("2016-01 to 2016-12") && out.contains("8 / 8") && out.contains("6 / 6"), "{out}");
    let o = trappe(&["run", "cut.toml", "-n", "20", "-q"], dir.path());
    let (out, err) = texts(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Extra staff cost (cuts: negative, a saving)"), "{out}");
    assert!(out.contains("the scenario cuts staff: a positive effect is staff cost saved"), "{out}");
    assert!(!out.contains("return per krone"), "{out}");
}
