//! The units of the result columns, as written in the `unit` column of the CSV files.

/// The unit of a result column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// A fraction of the citizens who have entered, 0 to 1.
    Share,
    /// A number of citizens.
    Citizens,
    /// Months spent by citizens, summed over citizens.
    CitizenMonths,
    /// A number of months.
    Months,
    /// Danish kroner, nominal.
    Dkk,
    /// A probability (the mean of a 1/0 figure).
    Probability,
    /// The paired difference of two probabilities.
    DifferenceInProbability,
    /// A value divided by its value at month 0.
    RatioToStart,
    /// A simulated month, counted from 1.
    SimulatedMonth,
    /// Kroner saved per krone of extra staff cost.
    DkkSavedPerDkkOfStaff,
    /// Kroner per citizen.
    DkkPerCitizen,
    /// A number of placements.
    Placements,
    /// Full-time equivalents.
    Fte,
    /// Hours.
    Hours,
    /// Citizens on benefit per productive full-time equivalent.
    CaseloadRatio,
    /// A factor applied to transition probabilities.
    Multiplier,
    /// The unit of the target's metric.
    AsTargetMetric,
}

impl Unit {
    /// Every unit.
    pub const ALL: [Unit; 17] = [
        Unit::Share,
        Unit::Citizens,
        Unit::CitizenMonths,
        Unit::Months,
        Unit::Dkk,
        Unit::Probability,
        Unit::DifferenceInProbability,
        Unit::RatioToStart,
        Unit::SimulatedMonth,
        Unit::DkkSavedPerDkkOfStaff,
        Unit::DkkPerCitizen,
        Unit::Placements,
        Unit::Fte,
        Unit::Hours,
        Unit::CaseloadRatio,
        Unit::Multiplier,
        Unit::AsTargetMetric,
    ];

    /// The unit as written in the files and the documentation.
    pub const fn label(self) -> &'static str {
        match self {
            Unit::Share => "share",
            Unit::Citizens => "citizens",
            Unit::CitizenMonths => "citizen-months",
            Unit::Months => "months",
            Unit::Dkk => "DKK",
            Unit::Probability => "probability",
            Unit::DifferenceInProbability => "difference in probability",
            Unit::RatioToStart => "ratio to the value at the start",
            Unit::SimulatedMonth => "month (1 = first simulated month)",
            Unit::DkkSavedPerDkkOfStaff => "DKK saved per DKK of extra staff cost",
            Unit::DkkPerCitizen => "DKK per citizen",
            Unit::Placements => "placements",
            Unit::Fte => "FTE",
            Unit::Hours => "hours",
            Unit::CaseloadRatio => "citizens on benefit per productive FTE",
            Unit::Multiplier => "multiplier",
            Unit::AsTargetMetric => "as the target's metric",
        }
    }

    /// The unit of the paired difference (scenario − counterfactual) of a figure in
    /// this unit: the difference of two probabilities is labelled as such, every other
    /// difference keeps its figure's unit.
    pub const fn of_difference(self) -> Unit {
        match self {
            Unit::Probability => Unit::DifferenceInProbability,
            other => other,
        }
    }
}
