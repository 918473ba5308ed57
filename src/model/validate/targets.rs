//! `[[targets]]`: the metric, the month (inside the simulation) and the condition.

use super::{Period, Validator};
use crate::input::locate::KeyPath;
use crate::input::param::fmt_num;
use crate::input::scenario::MonthRef;
use crate::model::{Metric, Target, parse_metric};

impl Validator<'_> {
    /// The targets, in file order; `state_ids` name the states `share:<state>` may refer to.
    pub(super) fn targets(&mut self, state_ids: &[String], period: Period) -> Vec<Target> {
        let f = &self.sc.file;
        let Period { start, end, horizon } = period;
        let mut targets = Vec::new();
        for (i, t) in f.targets.iter().enumerate() {
            let k = KeyPath::default().key("targets").index(i);
            let metric = match parse_metric(&t.metric, state_ids) {
                Ok(m) => m,
                Err(sug) => {
                    let mut names: Vec<String> = Metric::NAMED.iter().map(|(n, _)| n.to_string()).collect();
                    names.push("share:<state>".into());
                    self.err(
                        k.key("metric"),
                        format!("unknown metric `{}`; expected one of {}", t.metric, names.join(", ")),
                        sug,
                    );
                    Metric::SelfSupportingShare
                }
            };
            let month = match t.month {
                MonthRef::Offset(n) => n as i64,
                MonthRef::Calendar(ym) => start.months_until(ym) + 1,
            };
            if month < 0 || month > horizon as i64 {
                self.err(
                    k.key("month"),
                    format!("the target month falls outside the simulation ({start} to {end}, months 0 to {horizon})"),
                    None,
                );
            }
            if t.at_least.is_none() && t.at_most.is_none() {
                self.err(k.key("metric"), "a target needs `at_least` or `at_most`", Some("at_least".into()));
            }
            for (name, limit) in [("at_least", t.at_least), ("at_most", t.at_most)] {
                if let Some(v) = limit {
                    let known = parse_metric(&t.metric, state_ids).is_ok();
                    self.target_limit(k.key(name), v, known.then_some(metric), t.relative_to_start);
                }
            }
            let name =
                if t.name.is_empty() { format!("{} at month {month}", t.metric) } else { t.name.clone() };
            targets.push(Target {
                name,
                metric,
                month: month.clamp(0, horizon as i64) as usize,
                at_least: t.at_least,
                at_most: t.at_most,
                relative_to_start: t.relative_to_start,
            });
        }
        targets
    }

    /// A target's `at_least` or `at_most`: a finite number, and for a share (not
    /// relative to the start) a fraction from 0 to 1. `metric` is `None` when the
    /// metric is unknown (already a problem), so that its unit is not guessed.
    fn target_limit(&mut self, key: KeyPath, v: f64, metric: Option<Metric>, relative: bool) {
        if !v.is_finite() {
            self.err(
                key,
                format!("expected a finite number, got {v}; a target's limit must be a number"),
                None,
            );
            return;
        }
        let is_share = metric.is_some_and(|m| !matches!(m, Metric::MeanBenefitDuration));
        if is_share && !relative && !(0.0..=1.0).contains(&v) {
            let suggestion = (v > 1.0 && v <= 100.0).then(|| fmt_num(v / 100.0));
            self.err(
                key,
                format!("expected a share from 0 to 1, got {}; a share is written 0.15 for 15 %", fmt_num(v)),
                suggestion,
            );
        }
    }
}
