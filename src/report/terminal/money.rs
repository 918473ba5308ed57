//! The money of the terminal summary: each budget item per arm, the net benefit saving
//! in words, and the net municipal effect with how sure it is.

use super::{Figures, interval};
use crate::analysis::uncertainty::split_of_effect;
use crate::budget::Item;
use crate::input::scenario::FundingSource;
use crate::model::Model;
use crate::report::lang::Lang;
use crate::schema::Effect;
use std::fmt::Write;

/// What the effect column of a money line shows.
#[derive(Clone, Copy)]
enum Column<'a> {
    /// The named effect (a saving, + = good).
    Effect(Effect),
    /// A cost: counterfactual − scenario.
    Cost,
    /// Income: scenario − counterfactual.
    Income,
    /// No effect of its own: a note instead.
    Note(&'a str),
}

/// Each budget item over the horizon per arm, and what the scenario saves on it; the
/// funding lines say whose money pays for the extra staff.
pub(super) fn money(o: &mut String, f: &Figures) {
    let l = f.lang;
    let _ = writeln!(
        o,
        "\n{:<44} {:>16} {:>16}   {}",
        f.pick("Money over the horizon, DKK", "Beløb i perioden, kr."),
        f.pick("scenario", "scenarie"),
        f.pick("counterfactual", "kontrafaktisk"),
        f.pick("effect (+ = saving)", "effekt (+ = besparelse)")
    );
    let (sc, cf, df) = (f.sc, f.cf, f.df);
    let amount = |v: f64| l.amount(v);
    let row = |o: &mut String, label: &str, item: Item, column: Column| {
        let i = f.layout.item(item);
        let eff = match column {
            Column::Effect(effect) => {
                let s = f.effect(effect);
                format!("{} {}", l.amount(s.mean), interval(l, s, amount))
            }
            Column::Income => format!("{} {}", l.amount(df[i].mean), interval(l, &df[i], amount)),
            Column::Cost => format!(
                "{} ({} {} {})",
                l.amount(-df[i].mean),
                l.amount(-df[i].p95),
                l.pick("to", "til"),
                l.amount(-df[i].p05)
            ),
            Column::Note(note) => note.to_string(),
        };
        let _ =
            writeln!(o, "{:<44} {:>16} {:>16}   {}", label, l.amount(sc[i].mean), l.amount(cf[i].mean), eff);
    };
    let has = |source: FundingSource| f.model.grants.iter().any(|g| g.funding == source);
    row(
        o,
        f.pick("Gross benefit", "Bruttoydelse"),
        Item::GrossBenefit,
        Column::Effect(Effect::GrossBenefitSaving),
    );
    row(
        o,
        f.pick("Municipal net benefit (after reimbursement)", "Kommunal nettoydelse (efter refusion)"),
        Item::NetBenefit,
        Column::Effect(Effect::NetBenefitSaving),
    );
    let b = &f.model.budget;
    if b.paid_benefit_share.iter().any(Option::is_some) {
        row(
            o,
            f.pick("  benefit offset by earnings (not paid)", "  ydelse modregnet i løn (ikke udbetalt)"),
            Item::EarningsOffset,
            Column::Note(f.pick("already out of the gross benefit", "allerede trukket fra bruttoydelsen")),
        );
    }
    row(
        o,
        f.pick(
            "Activity costs (wage subsidy, mentor, course)",
            "Aktiveringsudgifter (løntilskud, mentor mv.)",
        ),
        Item::ActivityCost,
        Column::Cost,
    );
    if b.education_cost.iter().any(Option::is_some) {
        row(
            o,
            f.pick("Education the municipality co-pays (net)", "Uddannelse kommunen medfinansierer (netto)"),
            Item::EducationCost,
            Column::Cost,
        );
    }
    row(
        o,
        f.pick("One-off costs (establishing placements)", "Engangsudgifter (etablering af pladser)"),
        Item::OneOffCost,
        Column::Cost,
    );
    let cuts = has_cuts(f.model);
    let staff = if cuts {
        f.pick("Extra staff cost (cuts: negative, a saving)", "Ekstra personaleudgift (nedskæring: negativ)")
    } else {
        f.pick("Extra staff cost", "Ekstra personaleudgift")
    };
    row(o, staff, Item::ExtraStaffCost, Column::Cost);
    row(o, f.pick("External grant income", "Eksterne tilskud (indtægt)"), Item::GrantIncome, Column::Income);
    if b.result_grant.is_some() {
        row(
            o,
            f.pick("State result grants (per citizen)", "Statslige resultattilskud (pr. borger)"),
            Item::ResultGrant,
            Column::Income,
        );
    }
    let co_financing = if cuts {
        f.pick("Co-financing (cuts: negative, the saving)", "Medfinansiering (nedskæring: negativ)")
    } else {
        f.pick("Co-financing (staff cost grants don't cover)", "Medfinansiering (det tilskud ikke dækker)")
    };
    row(o, co_financing, Item::CoFinancing, Column::Cost);
    funding_notes(o, f, &row, has(FundingSource::OwnFunds), has(FundingSource::InKind));
    row(
        o,
        f.pick("Municipal net cost, all items", "Kommunal nettoudgift, alle poster"),
        Item::TotalNetCost,
        Column::Effect(Effect::NetMunicipalEffect),
    );
    saving_split(o, f);
}

/// The lines of own funds and in-kind co-financing, which are not income.
fn funding_notes(
    o: &mut String,
    f: &Figures,
    row: &dyn Fn(&mut String, &str, Item, Column),
    own_funds: bool,
    in_kind: bool,
) {
    if own_funds {
        row(
            o,
            f.pick("  of which own funds moved between years", "  heraf egne midler flyttet mellem år"),
            Item::OwnFunds,
            Column::Note(f.pick(
                "municipal money, not income: in the staff cost",
                "kommunale midler, ikke indtægt: i personaleudgiften",
            )),
        );
    }
    if in_kind {
        row(
            o,
            f.pick("In-kind co-financing (existing staff)", "Medfinansiering med eget personale"),
            Item::InKind,
            Column::Note(f.pick(
                "paid in both arms: not in the net cost",
                "betales i begge forløb: ikke i nettoudgiften",
            )),
        );
        row(
            o,
            f.pick("Municipal contribution (cash + in kind)", "Kommunalt bidrag (kontant + eget personale)"),
            Item::MunicipalContribution,
            Column::Note(f.pick("co-financing + in kind", "medfinansiering + eget personale")),
        );
    }
}

/// The net benefit saving in words: how much comes from fewer benefit months and how
/// much from the state reimbursing a different share of the benefit still paid.
fn saving_split(o: &mut String, f: &Figures) {
    let l = f.lang;
    let net = f.effect(Effect::NetBenefitSaving).mean;
    let months = f.effect(Effect::NetBenefitSavingFromMonths).mean;
    let share = f.effect(Effect::NetBenefitSavingFromShare).mean;
    if net == 0.0 && share == 0.0 {
        return;
    }
    let part = |x: f64| if net != 0.0 { format!(" ({})", l.percent(x / net)) } else { String::new() };
    let reason = share_reason(l, f.model, share >= 0.0);
    let (net, pm, ps) = (l.dkk(net), part(months), part(share));
    let (months, share_text) = (l.dkk(months), l.dkk(share));
    let _ = match l {
        Lang::En => writeln!(
            o,
            "Of the net benefit saving of {net}, {months}{pm} comes from fewer benefit months and {share_text}{ps} \
             from the state reimbursing {} share of the benefit still paid{reason}.",
            if share >= 0.0 { "a higher" } else { "a lower" },
        ),
        Lang::Da => writeln!(
            o,
            "Af besparelsen på nettoydelsen på {net} kommer {months}{pm} fra færre ydelsesmåneder og \
             {share_text}{ps} fra at staten refunderer en {} andel af den ydelse, der stadig udbetales{reason}.",
            if share >= 0.0 { "højere" } else { "lavere" },
        ),
    };
}

/// Whether any hire is a cut (negative FTE): the staff cost items are then savings.
fn has_cuts(model: &Model) -> bool {
    model.staffing.as_ref().is_some_and(|s| s.hires.iter().any(|h| h.fte < 0.0))
}

/// The net municipal effect with its present value, the probability of a saving, the
/// break-even month, the return per krone and, when asked for, the wider effects.
pub(super) fn net_effect(o: &mut String, f: &Figures) {
    let (l, model) = (f.lang, f.model);
    let ne = f.effect(Effect::NetMunicipalEffect);
    let pv = f.effect(Effect::NetMunicipalEffectPv);
    let pos = f.effect(Effect::NetEffectPositive);
    let dkk = |v: f64| l.amount(v);
    let _ = writeln!(
        o,
        "\n{}: {} {} {}  ± {} ({})",
        f.pick("Net municipal effect", "Nettoeffekt for kommunen"),
        l.amount(ne.mean),
        l.currency(),
        interval(l, ne, dkk),
        l.amount(ne.mcse),
        f.pick("Monte Carlo s.e.", "Monte Carlo-usikkerhed")
    );
    let _ = writeln!(
        o,
        "  {} {} %: {} {}",
        f.pick("present value at", "nutidsværdi ved"),
        l.fixed(model.budget.discount_rate * 100.0, 1),
        l.dkk(pv.mean),
        interval(l, pv, dkk)
    );
    expected_net_effect(o, f);
    let _ = writeln!(
        o,
        "  {}: {}  (± {})",
        f.pick(
            "probability that a realised cohort saves money",
            "sandsynlighed for at en faktisk kohorte sparer penge"
        ),
        l.percent(pos.mean),
        l.percent(pos.mcse)
    );
    if has_cuts(model) {
        let _ = writeln!(
            o,
            "{}",
            f.pick(
                "  the scenario cuts staff: a positive effect is staff cost saved beyond the benefit and activity\n  \
                 costs the cut adds; a negative number of extra self-supporting citizens is citizens the cut keeps\n  \
                 on benefit",
                "  scenariet skærer i personalet: en positiv effekt er sparet personaleudgift ud over de ydelses- og\n  \
                 aktiveringsudgifter nedskæringen medfører; et negativt antal ekstra selvforsørgende borgere er\n  \
                 borgere nedskæringen holder på ydelse"
            )
        );
    }
    break_even(o, f);
    let rpk = f.effect(Effect::ReturnPerKrone);
    if rpk.n > 0 {
        let two = |v| l.fixed(v, 2);
        let _ = writeln!(
            o,
            "  {}: {} {}",
            f.pick("return per krone of extra staff", "afkast pr. krone til ekstra personale"),
            two(rpk.mean),
            interval(l, rpk, two)
        );
    }
    if model.budget.wider.is_some() {
        let w = f.effect(Effect::WiderNetEffect);
        let p = f.effect(Effect::PublicNetEffect);
        let _ = writeln!(
            o,
            "  {}: {} {}",
            f.pick(
                "wider municipal effect (with tax and equalisation)",
                "bredere kommunal effekt (med skat og udligning)"
            ),
            l.dkk(w.mean),
            interval(l, w, dkk)
        );
        let _ = writeln!(
            o,
            "  {}: {} {}",
            f.pick(
                "public-sector effect (state + municipality)",
                "effekt for det offentlige (stat + kommune)"
            ),
            l.dkk(p.mean),
            interval(l, p, dkk)
        );
    }
}

/// The month the scenario has paid for itself, and the grant surplus that can make a
/// positive effect without one.
fn break_even(o: &mut String, f: &Figures) {
    let (l, model, res) = (f.lang, f.model, f.res);
    let share = l.percent(res.break_even_share);
    let be = match (res.break_even_median, l) {
        (Some(m), Lang::En) => format!(
            "median month {m} ({}); reached within the horizon in {share} of replications",
            model.calendar(m.round() as usize)
        ),
        (Some(m), Lang::Da) => format!(
            "median måned {} ({}); nås inden for perioden i {share} af simuleringerne",
            l.plain(m),
            model.calendar(m.round() as usize)
        ),
        (None, Lang::En) => {
            format!("not reached within the horizon in most replications (reached in {share})")
        }
        (None, Lang::Da) => {
            format!("nås ikke inden for perioden i de fleste simuleringer (nås i {share})")
        }
    };
    let _ = writeln!(o, "  {}: {be}", f.pick("break-even", "tjent hjem"));
    if model.grants.iter().any(|g| g.funding == FundingSource::External) {
        let _ = writeln!(
            o,
            "    {}",
            f.pick(
                "(measured with grant income counted only as it pays for the hires it funds)",
                "(målt med tilskud medregnet kun i det omfang de betaler for de ansættelser, de finansierer)"
            )
        );
    }
    if res.positive_by_grant_surplus_share > 0.0 {
        let p = l.percent(res.positive_by_grant_surplus_share);
        let _ = match l {
            Lang::En => writeln!(
                o,
                "    in {p} of replications the net effect is positive only because of grant money beyond the cost \
                 of the hires it funds: no break-even month"
            ),
            Lang::Da => writeln!(
                o,
                "    i {p} af simuleringerne er nettoeffekten kun positiv på grund af tilskud ud over udgiften til \
                 de ansættelser, de finansierer: ingen måned hvor indsatsen er tjent hjem"
            ),
        };
    }
}

/// The decision figure, the probability that the expected net municipal effect is
/// favourable given what we don't know, with the expected effect's interval over the
/// parameters and the spread a cohort shows by chance; with one cohort per parameter
/// draw, a line saying that the split cannot be estimated and how to get it.
fn expected_net_effect(o: &mut String, f: &Figures) {
    let l = f.lang;
    let probability = f.pick(
        "probability that the expected net municipal effect is favourable",
        "sandsynlighed for at den forventede nettoeffekt for kommunen er gunstig",
    );
    let Some(s) = split_of_effect(f.model, f.res, Effect::NetMunicipalEffect) else {
        let _ = match l {
            Lang::En => writeln!(
                o,
                "  {probability}: not estimable with one cohort\n    per parameter draw (run with -n a multiple \
                 of 5, e.g. -n 1000, to tell what we don't know apart from chance)"
            ),
            Lang::Da => writeln!(
                o,
                "  {probability}: kan ikke beregnes med én kohorte\n    pr. træk af parametrene (kør med -n et \
                 multiplum af 5, fx -n 1000, for at skille hvad vi ikke ved fra tilfældighed)"
            ),
        };
        return;
    };
    let _ = writeln!(o, "  {probability}: {}", l.percent(s.probability_expected_positive));
    let expected = l.dkk(s.expected);
    let _ = if s.within_chance(f.model.parameters.sampled().next().is_some()) {
        match l {
            Lang::En => writeln!(
                o,
                "    how sure we are about the policy: expected effect {expected}; at this size the draws of the \
                 parameters spread it no more than chance does, so the interval over what we don't know \
                 cannot be told apart (run more replications)"
            ),
            Lang::Da => writeln!(
                o,
                "    hvor sikre vi er på indsatsen: forventet effekt {expected}; ved denne størrelse spreder \
                 trækkene af parametrene den ikke mere end tilfældighed gør, så intervallet over hvad vi ikke ved \
                 kan ikke skelnes (kør flere simuleringer)"
            ),
        }
    } else {
        let (a, b) = (l.amount(s.expected_p05), l.dkk(s.expected_p95));
        match l {
            Lang::En => writeln!(
                o,
                "    how sure we are about the policy: expected effect {expected}, 90 % interval over what we don't \
                 know (the parameters) {a} to {b}"
            ),
            Lang::Da => writeln!(
                o,
                "    hvor sikre vi er på indsatsen: forventet effekt {expected}, 90 %-interval over hvad vi ikke \
                 ved (parametrene) {a} til {b}"
            ),
        }
    };
    let (sd, share) = (l.dkk(s.chance_sd), l.percent(s.parameter_share));
    let _ = match l {
        Lang::En => writeln!(
            o,
            "    how much a cohort of this size wobbles: by chance alone it lands ± {sd} (s.d.) around its \
             expected effect; the parameters give {share} of the variance"
        ),
        Lang::Da => writeln!(
            o,
            "    hvor meget en kohorte af denne størrelse svinger: ved tilfældighed alene lander den ± {sd} \
             (standardafvigelse) omkring sin forventede effekt; parametrene står for {share} af variansen"
        ),
    };
}

/// Why the reimbursement share of the benefit still paid differs between the arms, in
/// the words of the regimes of the scenario.
fn share_reason(l: Lang, model: &Model, higher: bool) -> &'static str {
    use crate::budget::Reimbursement as R;
    let b = &model.budget;
    let regimes: Vec<&R> =
        std::iter::once(&b.reimbursement).chain(b.reimbursement_changes.iter().map(|c| &c.regime)).collect();
    let pre = regimes.iter().any(|r| matches!(r, R::Pre2016 { .. }));
    let staircase = regimes.iter().any(|r| matches!(r, R::Staircase2016 { .. }));
    match (pre, staircase, higher) {
        (true, false, true) => l.pick(
            " (more of it goes to citizens in activation, reimbursed at the higher active rate)",
            " (mere af den går til borgere i aktivering, der refunderes med den højere aktive sats)",
        ),
        (true, false, false) => l.pick(
            " (less of it goes to citizens in activation, reimbursed at the higher active rate)",
            " (mindre af den går til borgere i aktivering, der refunderes med den højere aktive sats)",
        ),
        (false, true, true) => l.pick(
            " (more of it falls in the early months of the staircase, reimbursed at higher rates)",
            " (mere af den falder i refusionstrappens første måneder, der refunderes med højere satser)",
        ),
        (false, true, false) => l.pick(
            " (more of it falls in the long-term months of the staircase, reimbursed at lower rates)",
            " (mere af den falder i refusionstrappens senere måneder, der refunderes med lavere satser)",
        ),
        (true, true, _) => l.pick(
            " (by activation before the change of regime, by months on benefit after it)",
            " (efter aktivering før refusionsomlægningen, efter måneder på ydelse efter den)",
        ),
        (false, false, _) => "",
    }
}
