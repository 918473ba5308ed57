//! The unit of each result column, for the `unit` column of the CSV files.

/// Unit of an outcome by name.
pub fn unit_of(name: &str) -> &'static str {
    if name.ends_with("_share") || name.contains("_share_month_") {
        "share"
    } else if name.ends_with("_met") || name == "net_effect_positive" {
        "probability"
    } else if name == "mean_benefit_duration" {
        "months"
    } else if name == "benefit_months"
        || name == "benefit_months_avoided"
        || name == "cumulative_benefit_months"
        || name.starts_with("months:")
    {
        "citizen-months"
    } else if name == "break_even_month" {
        "month (1 = first simulated month)"
    } else if name == "return_per_krone" {
        "DKK saved per DKK of extra staff cost"
    } else if name == "cost_per_extra_self_supporting" {
        "DKK per citizen"
    } else if name.contains("citizens")
        || name.starts_with("extra_") && !name.ends_with("_cost")
        || name == "entered"
        || name.starts_with("occupancy:")
    {
        "citizens"
    } else if name == "fte" || name == "productive_fte" || name == "placement_fte" {
        "FTE"
    } else if name == "waiting_list" || name == "mean_waiting_list" || name == "waiting_list_at_horizon" {
        "citizens"
    } else if name == "placements" {
        "placements"
    } else if name == "mean_wait_months" {
        "months"
    } else if name == "placement_hours" || name == "placement_hours_used" {
        "hours"
    } else if name == "caseload" {
        "citizens on benefit per productive FTE"
    } else if name == "staffing_multiplier" {
        "multiplier"
    } else if name.starts_with("target_") {
        "as the target's metric"
    } else {
        "DKK"
    }
}
