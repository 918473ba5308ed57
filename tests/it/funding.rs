//! Whose money pays: external grants are income, own funds moved between budget years
//! are the municipality's money, in-kind co-financing is reported beside the net cost;
//! and the break-even month counts grant income only as it pays for its hires.

use crate::common::*;
use trappe::analysis::outcomes::summarise;
use trappe::budget::{BudgetYears, Flow, Item, N_FLOWS, break_even_effect, break_even_month, items_for};
use trappe::model::{ARMS, COUNTERFACTUAL, SCENARIO};
use trappe::schema::Effect;

/// Asserts `got` is within `tol` DKK of `want`.
fn assert_near(engine: Engine, what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{engine} engine, {what}: got {got}, want {want}");
}

/// Budget item `it` over all years.
fn item(by: &BudgetYears, it: Item) -> f64 {
    by.total[Item::ALL.iter().position(|x| *x == it).unwrap()]
}

/// 100 citizens on benefit who never leave, for all of 2016, with two hires of 1 FTE at
/// 600,000 DKK a year: one funded by an external grant of 400,000, one by 900,000 of
/// the given `source`; and two existing positions worth 300,000 in kind.
fn hand_case(carry_over_source: &str) -> String {
    let body = r#"
[[states]]
id = "benefit"
pays_benefit = true
[[states]]
id = "job"
employed = true
self_supporting = true
[[transitions]]
from = "benefit"
to = "job"
probability = 0.0
staffing_sensitive = true
[[segments]]
name = "all"
size = 100
start_state = "benefit"
benefit_type = "kh"

[staffing]
baseline_fte = 2
caseload_ref = 50
elasticity = 0.5
[[staffing.hires]]
name = "grant-funded"
fte = 1
start = "2016-01"
funded_by = "pool"
[[staffing.hires]]
name = "carry-over funded"
fte = 1
start = "2016-01"
funded_by = "carry-over"

[[grants]]
name = "pool"
amounts = { 2016 = 400000 }
[[grants]]
name = "carry-over"
funding = "SOURCE"
amounts = { 2016 = 900000 }
[[grants]]
name = "two existing positions"
funding = "in_kind"
amounts = { 2016 = 300000 }
"#
    .replace("SOURCE", carry_over_source);
    scenario(&body, 12, 2, &format!("staff_cost_per_fte_year = 600000\n{NO_REFUND}"))
}

/// Each funding item to the krone: own funds are no income, in-kind enters no cost, an
/// external grant is income as before.
fn each_funding_item_to_the_krone(engine: Engine) {
    for (source, grant_income, own_funds, net_cost_difference) in [
        // The carry-over is the municipality's own money: the net cost rises by the
        // whole 1,200,000 of staff less the 400,000 external grant.
        ("own_funds", 400_000.0, 600_000.0, 800_000.0),
        // Written as an external grant the same 900,000 is income in full.
        ("external", 1_300_000.0, 0.0, -100_000.0),
    ] {
        let m = model(&hand_case(source));
        for r in run_engine(&m, &[SCENARIO, COUNTERFACTUAL], engine, 2, m.seed) {
            let sc = items_for(m.start, &r.arms[0].flows);
            let cf = items_for(m.start, &r.arms[1].flows);
            let near = |what: &str, got: f64, want: f64| {
                assert_near(engine, &format!("{source}, replication {}, {what}", r.index), got, want, 1e-6)
            };
            near("extra staff cost", item(&sc, Item::ExtraStaffCost), 1_200_000.0);
            near("grant income", item(&sc, Item::GrantIncome), grant_income);
            near("own funds", item(&sc, Item::OwnFunds), own_funds);
            // Co-financing: what external grants do not cover.
            let covered = if source == "external" { 1_000_000.0 } else { 400_000.0 };
            near("co-financing", item(&sc, Item::CoFinancing), 1_200_000.0 - covered);
            near("in kind", item(&sc, Item::InKind), 300_000.0);
            near(
                "municipal contribution",
                item(&sc, Item::MunicipalContribution),
                1_200_000.0 - covered + 300_000.0,
            );
            for it in [Item::GrantIncome, Item::OwnFunds, Item::InKind, Item::MunicipalContribution] {
                near(&format!("counterfactual {it:?}"), item(&cf, it), 0.0);
            }
            // Nobody moves: the difference is staff less external grant income, and
            // neither own funds nor the in-kind value enter it.
            let d = item(&sc, Item::TotalNetCost) - item(&cf, Item::TotalNetCost);
            near("difference in net cost", d, net_cost_difference);
            let w = item(&sc, Item::WiderNetCost) - item(&cf, Item::WiderNetCost);
            near("difference in wider net cost", w, net_cost_difference);
            let p = item(&sc, Item::PublicCost) - item(&cf, Item::PublicCost);
            near("difference in public cost", p, 1_200_000.0);
        }
    }
}

/// Own funds and in-kind entries without hires make the arms identical in money:
/// every money effect is exactly zero and nothing breaks even.
fn own_funds_and_in_kind_alone_change_nothing(engine: Engine) {
    let hand = hand_case("own_funds");
    let (head, staff_and_grants) = hand.split_once("[staffing]").unwrap();
    let grants = &staff_and_grants[staff_and_grants.find("[[grants]]\nname = \"carry-over\"").unwrap()..];
    let text = format!("{head}{grants}").replace("staffing_sensitive = true\n", "");
    let m = model(&text);
    let reps = run_engine(&m, &ARMS, engine, 3, m.seed);
    let res = summarise(&m, &ARMS, &reps);
    for o in &res.reps {
        for e in [Effect::NetMunicipalEffect, Effect::NetMunicipalEffectPv, Effect::WiderNetEffect] {
            assert_eq!(o.effects[e as usize], 0.0, "{engine} engine: {e:?}");
        }
        assert!(o.effects[Effect::BreakEvenMonth as usize].is_nan(), "{engine} engine: break-even");
        assert!(o.monthly_net_effect.iter().all(|e| *e == 0.0), "{engine} engine: monthly");
        assert_eq!(item(&o.budget[0], Item::InKind), 300_000.0);
        assert_eq!(item(&o.budget[0], Item::OwnFunds), 0.0);
    }
}

test_both_engines!(each_funding_item_to_the_krone, own_funds_and_in_kind_alone_change_nothing);

/// Monthly flows with the given savings and extra staff cost of hires a grant funds,
/// with the grant's income booked as `income` month by month.
fn flows(savings: &[f64], staff: &[f64], income: &[f64]) -> Vec<[f64; N_FLOWS]> {
    (0..savings.len())
        .map(|m| {
            let mut f = [0.0; N_FLOWS];
            f[Flow::GrossBenefit as usize] = 1_000.0 - savings[m];
            f[Flow::ExtraStaffCost as usize] = staff[m];
            f[Flow::GrantFundedStaffCost as usize] = staff[m];
            f[Flow::GrantIncome as usize] = income[m];
            f
        })
        .collect()
}

#[test]
fn break_even_counts_a_grant_only_as_it_pays_for_its_hires() {
    let savings = [-30.0, 10.0, 40.0, 60.0];
    let sc = flows(&savings, &[100.0; 4], &[400.0, 0.0, 0.0, 0.0]);
    let cf = flows(&[0.0; 4], &[0.0; 4], &[0.0; 4]);
    let net = |f: &[f64; N_FLOWS]| trappe::analysis::outcomes::total_net_cost(f);
    let with_lump: Vec<f64> = (0..4).map(|m| net(&cf[m]) - net(&sc[m])).collect();
    // Booked as paid, the grant's 400 in month 1 makes month 1 a break-even month ...
    assert_eq!(with_lump, vec![-30.0 - 100.0 + 400.0, 10.0 - 100.0, 40.0 - 100.0, 60.0 - 100.0]);
    assert_eq!(break_even_month(&with_lump), Some(1));
    // ... counted as it pays for the staff, only the savings remain: −30, −20, 20, 80.
    let rule = break_even_effect(&sc, &cf);
    assert_eq!(rule, savings.to_vec());
    assert_eq!(break_even_month(&rule), Some(3));
    // Money paid in month 1 for hires employed in months 3 and 4 counts then.
    let later = flows(&[5.0; 4], &[0.0, 0.0, 100.0, 100.0], &[200.0, 0.0, 0.0, 0.0]);
    assert_eq!(break_even_effect(&later, &cf), vec![5.0; 4]);
    // Money beyond the cost of the hires never counts: a surplus of 300.
    let surplus = flows(&[-1.0; 4], &[100.0, 0.0, 0.0, 0.0], &[400.0, 0.0, 0.0, 0.0]);
    assert_eq!(break_even_effect(&surplus, &cf), vec![-1.0; 4]);
    assert_eq!(break_even_month(&break_even_effect(&surplus, &cf)), None);
}

/// A kept grant that funds no hire: the scenario saves money only by the grant, which
/// the terminal says instead of a break-even month.
#[test]
fn a_saving_that_is_only_grant_money_has_no_break_even_month() {
    let text = hand_case("own_funds")
        .replace("amounts = { 2016 = 400000 }", "amounts = { 2016 = 2000000 }")
        .replace("funded_by = \"pool\"", "funded_by = \"municipality\"");
    let m = model(&text);
    let reps = run_engine(&m, &ARMS, Engine::Count, 4, m.seed);
    let res = summarise(&m, &ARMS, &reps);
    for o in &res.reps {
        assert_eq!(o.effects[Effect::NetMunicipalEffect as usize], 2_000_000.0 - 1_200_000.0);
        assert_eq!(o.effects[Effect::NetEffectPositive as usize], 1.0);
        assert!(o.effects[Effect::BreakEvenMonth as usize].is_nan());
    }
    assert_eq!(res.positive_by_grant_surplus_share, 1.0);
    let out = trappe::report::terminal::summary(&m, &res, 4, m.seed, Engine::Count);
    assert!(
        out.contains("in 100.0 % of replications the net effect is positive only because of grant money beyond the cost of the hires it funds: no break-even month"),
        "{out}"
    );
    assert!(out.contains("  of which own funds moved between years"), "{out}");
    assert!(out.contains("In-kind co-financing (existing staff)"), "{out}");
}

/// Aalborg 2019's youth reinforcement: paid from the 2018 carry-over, the million is the
/// municipality's own money and the net effect is about −1 million; read as a grant it
/// would be 1,000,000 higher in every replication, close to zero.
#[test]
fn the_youth_case_charges_its_own_million() {
    let text =
        std::fs::read_to_string(repo().join("scenarios/aalborg-2019-reinforcement-youth.toml")).unwrap();
    assert!(text.contains("funding = \"own_funds\""));
    let as_grant = text.replace("funding = \"own_funds\"\n", "");
    let (own, grant) = (model(&text), model(&as_grant));
    let run = |m| summarise(m, &ARMS, &run_engine(m, &ARMS, Engine::Count, 200, 20190701));
    let (own, grant) = (run(&own), run(&grant));
    let ne = Effect::NetMunicipalEffect as usize;
    for (o, g) in own.reps.iter().zip(&grant.reps) {
        assert!((g.effects[ne] - o.effects[ne] - 1_000_000.0).abs() < 1e-3, "replication {}", o.index);
        assert_eq!(item(&o.budget[0], Item::GrantIncome), 0.0);
        assert!(item(&o.budget[0], Item::OwnFunds) > 950_000.0);
    }
    let (own_mean, grant_mean) = (own.effect_summaries[ne].mean, grant.effect_summaries[ne].mean);
    assert!(own_mean < -800_000.0 && own_mean > -1_200_000.0, "own funds: {own_mean}");
    assert!(grant_mean.abs() < 200_000.0, "as a grant: {grant_mean}");
    let saves =
        |r: &trappe::analysis::outcomes::Results| r.effect_summaries[Effect::NetEffectPositive as usize].mean;
    assert!(saves(&own) < 0.05 && saves(&grant) > 0.2, "{} {}", saves(&own), saves(&grant));
}

#[test]
fn a_bad_funding_kind_names_the_nearest() {
    let e = error(&hand_case("own_fund"));
    assert!(e.starts_with("test.toml:50:11: key `grants.funding`: unknown variant `own_fund`"), "{e}");
    assert!(e.contains("help: did you mean `own_funds`?"), "{e}");
}

#[test]
fn a_hire_cannot_be_funded_in_kind() {
    let e = error(
        &hand_case("own_funds").replace("funded_by = \"pool\"", "funded_by = \"two existing positions\""),
    );
    assert!(e.contains("staffing.hires[0].funded_by"), "{e}");
    assert!(e.contains("in-kind co-financing (existing staff), which pays for no new hire"), "{e}");
}

#[test]
fn own_funds_are_never_repaid() {
    let e = error(&hand_case("own_funds").replace(
        "funding = \"own_funds\"\namounts = { 2016 = 900000 }",
        "funding = \"own_funds\"\namounts = { 2016 = 900000 }\nunspent = \"repaid\"",
    ));
    assert!(e.contains("grants[1].unspent"), "{e}");
    assert!(e.contains("`unspent` applies to external grants only"), "{e}");
}
