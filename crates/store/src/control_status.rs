//! How a control run ended.

/// How a control run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlStatus {
    /// The query's answer is what the control expects (no failing asset, for `eq []`).
    Pass,
    /// It is not: some asset fails.
    Fail,
    /// The query could not be answered; nothing is known.
    Error,
    /// assetql has no successful sync of the control's asset types for the tenant, so an empty
    /// answer would mean "not looked", not "compliant".
    NoData,
}

impl ControlStatus {
    /// Every status, in the order reports list them.
    pub const ALL: [ControlStatus; 4] = [
        ControlStatus::Pass,
        ControlStatus::Fail,
        ControlStatus::Error,
        ControlStatus::NoData,
    ];

    /// The stored and reported name: `pass`, `fail`, `error`, `no_data`.
    pub fn as_str(self) -> &'static str {
        match self {
            ControlStatus::Pass => "pass",
            ControlStatus::Fail => "fail",
            ControlStatus::Error => "error",
            ControlStatus::NoData => "no_data",
        }
    }

    /// `Pass` when the control's expectation holds, else `Fail`.
    pub fn of(pass: bool) -> Self {
        if pass {
            ControlStatus::Pass
        } else {
            ControlStatus::Fail
        }
    }

    /// Reads a stored name.
    pub fn parse(text: &str) -> Option<Self> {
        ControlStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl std::fmt::Display for ControlStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
