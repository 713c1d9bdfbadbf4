//! Stored controls: catalogue, runner, scheduler, results history and exceptions (arrives with the controls issue).
