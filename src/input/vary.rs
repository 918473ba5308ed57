//! `--vary PATH=FROM..TO:STEP`: the levels `trappe sweep` gives one key of a scenario.
//!
//! A [`Vary`] names a number of the scenario file by its key path, as `--set` does,
//! and lists the levels from FROM to TO in steps of STEP. The levels are worked out in
//! decimal, not by adding floating-point steps, so `0..0.3:0.1` gives the levels
//! `0`, `0.1`, `0.2` and `0.3` exactly as a user would type them: each level is then
//! the `--set PATH=LEVEL` a user would give `trappe run` for it. A range that does not
//! step from FROM to TO in whole steps, or gives more than [`MAX_LEVELS`] levels, is
//! refused before anything is loaded or simulated.

use crate::error::Diagnostic;
use crate::input::locate::{KeyPath, Seg};
use crate::input::setting::Setting;
use toml_edit::{DocumentMut, Item, Value};

/// The most levels one sweep runs (all its `--vary` together): each level is a whole
/// run, and a longer list is more often a mistyped step than a question.
pub const MAX_LEVELS: usize = 200;

/// The most decimals a level may have: far more than any key of a scenario needs.
const MAX_DECIMALS: u32 = 12;

/// One `--vary PATH=FROM..TO:STEP`: the key and its levels.
#[derive(Debug, Clone)]
pub struct Vary {
    /// The argument as given (trimmed), for messages and the manifest.
    pub arg: String,
    /// The key path as written.
    pub path: String,
    /// The key path.
    pub key: KeyPath,
    /// FROM, TO and STEP as written.
    pub from: String,
    /// See [`Vary::from`].
    pub to: String,
    /// See [`Vary::from`].
    pub step: String,
    /// The levels in order from FROM to TO, each as the text `--set` would give it.
    pub levels: Vec<String>,
}

/// A decimal number as a whole number of units of 10^-decimals.
#[derive(Debug, Clone, Copy)]
struct Decimal {
    units: i128,
    decimals: u32,
}

impl Decimal {
    /// Reads `2`, `-1`, `+0.05`, `.5`; None for anything else (an exponent, a decimal
    /// comma, more than [`MAX_DECIMALS`] decimals or 30 digits).
    fn parse(text: &str) -> Option<Decimal> {
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if whole.len() + fraction.len() == 0 || !digits(whole) || !digits(fraction) {
            return None;
        }
        if fraction.len() > MAX_DECIMALS as usize || whole.len() + fraction.len() > 30 {
            return None;
        }
        let units: i128 = format!("{whole}{fraction}").parse().ok()?;
        Some(Decimal { units: if negative { -units } else { units }, decimals: fraction.len() as u32 })
    }

    /// The same number with `decimals` decimals (at least its own).
    fn scaled(self, decimals: u32) -> i128 {
        self.units * 10i128.pow(decimals - self.decimals)
    }
}

/// `units` × 10^-decimals as the shortest decimal text: `0.1`, `-2`, `0`.
fn decimal_text(units: i128, decimals: u32) -> String {
    let scale = 10i128.pow(decimals);
    let (whole, fraction) = (units.abs() / scale, units.abs() % scale);
    let sign = if units < 0 { "-" } else { "" };
    if fraction == 0 {
        return format!("{sign}{whole}");
    }
    let fraction = format!("{fraction:0width$}", width = decimals as usize);
    format!("{sign}{whole}.{}", fraction.trim_end_matches('0'))
}

impl Vary {
    /// Reads one `PATH=FROM..TO:STEP` argument; a diagnostic naming the argument if it
    /// is not one, or if its range is empty, runs the wrong way, does not end at TO in
    /// whole steps or has more than [`MAX_LEVELS`] levels.
    pub fn parse(arg: &str) -> Result<Vary, Box<Diagnostic>> {
        let arg = arg.trim();
        let refuse = |key: &str, message: String| {
            Box::new(Diagnostic {
                file: format!("--vary {arg}"),
                key: key.to_string(),
                message,
                ..Default::default()
            })
        };
        let Some((path, range)) = arg.split_once('=') else {
            return Err(refuse(
                "",
                "expected PATH=FROM..TO:STEP, a key of the scenario file and the levels to give it, \
                 e.g. staffing.hires[0].fte=0..6:1"
                    .into(),
            ));
        };
        let (path, range) = (path.trim(), range.trim());
        let key = Setting::parse(&format!("{path}=0")).map_err(|d| refuse(path, d.message))?.path;
        if key.0.first() == Some(&Seg::Key("simulation".into())) {
            return Err(refuse(
                path,
                "[simulation] says how every level is simulated, and a sweep simulates them alike: \
                 give -n, --inner or --seed instead, and --vary a key of the scenario"
                    .into(),
            ));
        }
        let parts = range.split_once("..").and_then(|(from, rest)| {
            rest.split_once(':').map(|(to, step)| (from.trim(), to.trim(), step.trim()))
        });
        let Some((from, to, step)) = parts else {
            return Err(refuse(
                path,
                format!(
                    "`{range}` is not a range: expected FROM..TO:STEP, e.g. 0..6:1 for the levels 0, 1, 2, \
                     3, 4, 5 and 6"
                ),
            ));
        };
        let number = |text: &str, what: &str| {
            Decimal::parse(text).ok_or_else(|| {
                let comma = if text.contains(',') { " (with a decimal point, not a comma)" } else { "" };
                refuse(
                    path,
                    format!(
                        "{what} `{text}` is not a number: write FROM, TO and STEP as decimal numbers{comma}, \
                         e.g. 0..0.3:0.05"
                    ),
                )
            })
        };
        let (f, t, s) = (number(from, "FROM")?, number(to, "TO")?, number(step, "STEP")?);
        let decimals = f.decimals.max(t.decimals).max(s.decimals);
        let (f, t, s) = (f.scaled(decimals), t.scaled(decimals), s.scaled(decimals));
        let text = |units: i128| decimal_text(units, decimals);
        if s == 0 {
            return Err(refuse(
                path,
                format!("the step is 0: a sweep steps from {from} to {to} by a step that is not 0"),
            ));
        }
        if (t - f) != 0 && (t - f).signum() != s.signum() {
            return Err(refuse(
                path,
                format!(
                    "a step of {step} never reaches {to} from {from}: from {from} to {to} takes a {} step, e.g. \
                     {from}..{to}:{}",
                    if t > f { "positive" } else { "negative" },
                    text(-s)
                ),
            ));
        }
        let steps = (t - f) / s;
        if (t - f) % s != 0 {
            let last = f + steps * s;
            return Err(refuse(
                path,
                format!(
                    "from {from} in steps of {step} does not reach {to}: the levels pass {} and then {}; end the \
                     range at one of them",
                    text(last),
                    text(last + s)
                ),
            ));
        }
        let count = steps + 1;
        if count > MAX_LEVELS as i128 {
            return Err(refuse(
                path,
                format!(
                    "{from}..{to}:{step} gives {count} levels, and a sweep runs at most {MAX_LEVELS}: take a \
                     larger step or a narrower range"
                ),
            ));
        }
        Ok(Vary {
            arg: arg.to_string(),
            path: path.to_string(),
            key,
            from: from.to_string(),
            to: to.to_string(),
            step: step.to_string(),
            levels: (0..count).map(|i| text(f + i * s)).collect(),
        })
    }

    /// The `--set PATH=LEVEL` argument (without `--set`) of level `i`.
    pub fn setting(&self, i: usize) -> String {
        format!("{}={}", self.path, self.levels[i])
    }

    /// Refuses a key that the scenario's text (`source`, with the `--set` values written
    /// in) gives a value other than a number: text, a date, true or false. A key the
    /// text leaves out, or that holds a table, is left to the checks of each level, which
    /// say what the format wants there.
    pub fn check_number(&self, source: &str) -> Result<(), Box<Diagnostic>> {
        let Ok(doc) = source.parse::<DocumentMut>() else { return Ok(()) };
        let holds = match value_at(doc.as_item(), &self.key.0) {
            Some(Value::String(s)) => format!("the text \"{}\"", s.value()),
            Some(Value::Boolean(b)) => format!("{}", b.value()),
            Some(Value::Datetime(d)) => format!("the date {}", d.value()),
            _ => return Ok(()),
        };
        Err(Box::new(Diagnostic {
            file: format!("--vary {}", self.arg),
            key: self.path.clone(),
            message: format!(
                "it holds {holds}, not a number: --vary steps a number from FROM to TO; give other values of \
                 this key with --set in separate runs"
            ),
            ..Default::default()
        }))
    }
}

/// The single value at `path` below `item`, if there is one.
fn value_at<'a>(item: &'a Item, path: &[Seg]) -> Option<&'a Value> {
    fn in_value<'a>(v: &'a Value, path: &[Seg]) -> Option<&'a Value> {
        match (v, path.split_first()) {
            (v, None) => Some(v),
            (Value::InlineTable(t), Some((Seg::Key(k), tail))) => in_value(t.get(k)?, tail),
            (Value::Array(a), Some((Seg::Index(i), tail))) => in_value(a.get(*i)?, tail),
            _ => None,
        }
    }
    match (item, path.split_first()) {
        (Item::Value(v), _) => in_value(v, path),
        (Item::Table(t), Some((Seg::Key(k), tail))) => value_at(t.get(k)?, tail),
        (Item::ArrayOfTables(a), Some((Seg::Index(i), tail))) => {
            let t = a.get(*i)?;
            match tail.split_first() {
                Some((Seg::Key(k), rest)) => value_at(t.get(k)?, rest),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn levels(arg: &str) -> Vec<String> {
        Vary::parse(arg).unwrap_or_else(|d| panic!("{d}")).levels
    }

    fn refused(arg: &str) -> String {
        Vary::parse(arg).unwrap_err().to_string()
    }

    #[test]
    fn levels_are_exact_decimals() {
        assert_eq!(levels("a.b=0..0.3:0.1"), ["0", "0.1", "0.2", "0.3"]);
        assert_eq!(levels("a.b=-2..2:2"), ["-2", "0", "2"]);
        assert_eq!(levels("a.b=6..0:-3"), ["6", "3", "0"]);
        assert_eq!(levels("a.b=0.05..0.15:0.05"), ["0.05", "0.1", "0.15"]);
        assert_eq!(levels("a[0].b = 1..1:1"), ["1"]);
        assert_eq!(levels("a.b=650000..700000:25000"), ["650000", "675000", "700000"]);
        assert_eq!(levels("a.b=1..200:1").len(), MAX_LEVELS);
    }

    #[test]
    fn bad_ranges_are_refused_with_the_argument() {
        assert_eq!(
            refused("a.b=0..5:2"),
            "--vary a.b=0..5:2: key `a.b`: from 0 in steps of 2 does not reach 5: the levels pass 4 and then 6; \
             end the range at one of them"
        );
        assert!(refused("a.b=0..6:0").contains("the step is 0"));
        assert!(refused("a.b=0..6:-1").contains("a step of -1 never reaches 6 from 0"));
        assert!(refused("a.b=0..6").contains("`0..6` is not a range"));
        assert!(refused("a.b=0..1e3:1").contains("TO `1e3` is not a number"));
        assert!(refused("a.b=0,1..1:1").contains("(with a decimal point, not a comma)"));
        assert!(refused("a.b=0..1000:1").contains("gives 1001 levels, and a sweep runs at most 200"));
        assert!(refused("a..b=0..1:1").contains("is not a key path"));
        assert!(refused("simulation.seed=1..3:1").contains("[simulation] says how every level is simulated"));
        assert!(refused("a.b").starts_with("--vary a.b: expected PATH=FROM..TO:STEP"));
    }

    #[test]
    fn only_numbers_are_varied() {
        let v = Vary::parse("scenario.name=1..2:1").unwrap();
        let e = v.check_number("[scenario]\nname = \"x\"\n").unwrap_err();
        assert!(e.message.starts_with("it holds the text \"x\", not a number"), "{}", e.message);
        let v = Vary::parse("h[0].fte=1..2:1").unwrap();
        assert!(v.check_number("[[h]]\nfte = 2\n").is_ok());
        assert!(v.check_number("[[h]]\nname = \"a\"\n").is_ok());
    }
}
