//! The controls API's GraphQL types, queries and mutations, each with its resolver.

use assetql_sql::QueryDialect;
use assetql_store::ControlStatus;
use async_graphql::dynamic::{Field, FieldFuture, InputValue, Object, TypeRef};

use super::*;

/// The object types of the controls API.
pub(crate) fn types() -> Vec<async_graphql::dynamic::Type> {
    let field = |name: &str, ty: TypeRef| Field::new(name, ty, by_name);
    let direction = || TypeRef::named("SortDirection");
    let status = ControlStatus::ALL.into_iter().fold(
        async_graphql::dynamic::Enum::new("ControlStatus").description(
            "How a control run ended: pass, fail, error (the query could not be answered), or \
             no_data (no successful sync of the control's asset types for the tenant yet: an \
             empty answer would mean not looked, not compliant).",
        ),
        |e, s| e.item(s.as_str()),
    );
    vec![
        status.into(),
        async_graphql::dynamic::Enum::new("FindingStatus")
            .description(
                "FAIL: reported by the control's latest run; EXCEPTED: reported but under an \
                 active exception; PASS: the control applies to it now and its latest run did not \
                 report it.",
            )
            .item("FAIL")
            .item("PASS")
            .item("EXCEPTED")
            .into(),
        async_graphql::dynamic::InputObject::new("ControlRunSort")
            .description("Sort control runs by one or more fields.")
            .field(InputValue::new("startedAt", direction()))
            .field(InputValue::new("controlId", direction()))
            .field(InputValue::new("status", direction()))
            .field(InputValue::new("durationMs", direction()))
            .field(InputValue::new("failingCount", direction()))
            .into(),
        Object::new("Finding")
            .description("An asset a control run reported.")
            .field(field("assetIdentifier", TypeRef::named_nn("String")))
            .field(field("idFromProvider", TypeRef::named("String")))
            .field(field("assetType", TypeRef::named("String")))
            .field(field("excepted", TypeRef::named_nn("Boolean")))
            .field(field("status", TypeRef::named_nn("FindingStatus")))
            .field(
                field("internetExposed", TypeRef::named("Boolean")).description(
                    "Whether the asset is reachable from the internet as the inventory can tell (see EcsService.internetExposed); false for types without exposure or an asset no longer inventoried; null outside the `findings` field.",
                ),
            )
            .field(
                field("environment", TypeRef::named("String"))
                    .description("The environment of the asset's AWS account (production first in `findings`)."),
            )
            .field(
                Field::new("asset", TypeRef::named("Asset"), finding_asset).description(
                    "The asset as inventoried now (resolved by the findings root field).",
                ),
            )
            .into(),
        Object::new("ControlRun")
            .description("One evaluation of one control.")
            .field(field("id", TypeRef::named_nn("ID")))
            .field(field("controlId", TypeRef::named_nn("String")))
            .field(field("status", TypeRef::named_nn("ControlStatus")))
            .field(field("startedAt", TypeRef::named_nn("DateTime")))
            .field(field("durationMs", TypeRef::named_nn("Int")))
            .field(field("failingCount", TypeRef::named_nn("Int")))
            .field(field("exceptedCount", TypeRef::named_nn("Int")))
            .field(
                field("applicableCount", TypeRef::named("Int"))
                    .description("Assets the control applies to; null when not known (error, no_data, runs before counts existed)."),
            )
            .field(
                field("compliancePercent", TypeRef::named("Float"))
                    .description("Share of applicable assets not failing (excepted ones count as not failing)."),
            )
            .field(
                field("newlyFailing", TypeRef::named_nn_list_nn("String"))
                    .description("Identifiers failing now and not in the previous decided run of this control (empty on its first decided run: nothing to compare with)."),
            )
            .field(
                field("fixed", TypeRef::named_nn_list_nn("String"))
                    .description("Identifiers failing in the previous decided run and not now."),
            )
            .field(field("accounts", TypeRef::named_nn_list_nn("ComplianceAccount")))
            .field(
                field("staleScopes", TypeRef::named_nn_list_nn("StaleScope"))
                    .description("Scopes whose newest successful sync was older than the runner's maximum data age (default 24h) when the run evaluated: its verdict is about data that old."),
            )
            .field(field("error", TypeRef::named("String")))
            .field(field("syncRunId", TypeRef::named("Int")))
            .field(field("findings", TypeRef::named_nn_list_nn("Finding")))
            .into(),
        Object::new("StaleScope")
            .description("An account and region whose data a run found older than allowed.")
            .field(field("cloudAccountId", TypeRef::named_nn("String")))
            .field(field("region", TypeRef::named_nn("String")))
            .field(field("lastSyncedAt", TypeRef::named_nn("DateTime")))
            .into(),
        Object::new("ComplianceAccount")
            .description("Applicable and failing assets of one AWS account.")
            .field(field("cloudAccountId", TypeRef::named_nn("String")))
            .field(field("applicable", TypeRef::named_nn("Int")))
            .field(field("failing", TypeRef::named_nn("Int")))
            .field(field("compliancePercent", TypeRef::named("Float")))
            .into(),
        Object::new("Compliance")
            .description("Over the latest run of each control: asset-control pairs evaluated and failing, overall and per account.")
            .field(field("applicable", TypeRef::named_nn("Int")))
            .field(field("failing", TypeRef::named_nn("Int")))
            .field(field("compliancePercent", TypeRef::named("Float")))
            .field(field("unknownControls", TypeRef::named_nn("Int")))
            .field(field("accounts", TypeRef::named_nn_list_nn("ComplianceAccount")))
            .into(),
        Object::new("Control")
            .description("A stored control: a query and the result a compliant inventory gives.")
            .field(field("id", TypeRef::named_nn("ID")))
            .field(field("title", TypeRef::named_nn("String")))
            .field(field("description", TypeRef::named_nn("String")))
            .field(field("severity", TypeRef::named_nn("String")))
            .field(field("assetTypes", TypeRef::named_nn_list_nn("String")))
            .field(field("check", TypeRef::named_nn("String")))
            .field(field("enabled", TypeRef::named_nn("Boolean")))
            .field(field("supported", TypeRef::named_nn("Boolean")))
            .field(field("latestRun", TypeRef::named("ControlRun")))
            .into(),
        Object::new("ControlException")
            .description("Removes one asset from one control's failing set until it expires.")
            .field(field("id", TypeRef::named_nn("ID")))
            .field(field("controlId", TypeRef::named_nn("String")))
            .field(field("assetIdentifier", TypeRef::named_nn("String")))
            .field(field("owner", TypeRef::named_nn("String")))
            .field(field("reason", TypeRef::named_nn("String")))
            .field(field("expiresAt", TypeRef::named_nn("DateTime")))
            .field(field("createdBy", TypeRef::named_nn("String")))
            .field(field("createdAt", TypeRef::named_nn("DateTime")))
            .field(field("revokedAt", TypeRef::named("DateTime")))
            .field(field("active", TypeRef::named_nn("Boolean")))
            .into(),
    ]
}

/// Adds the controls queries to `query`.
pub(crate) fn queries(query: Object, syntax: QueryDialect) -> Object {
    query
        .field(
            Field::new("controls", TypeRef::named_nn_list_nn("Control"), |ctx| FieldFuture::new(controls(ctx)))
                .description("The control catalogue with each control's latest run."),
        )
        .field(
            Field::new("compliance", TypeRef::named_nn("Compliance"), |ctx| FieldFuture::new(compliance(ctx)))
                .description("Compliance over the latest run of each control, overall and per account."),
        )
        .field(
            Field::new("controlRuns", TypeRef::named_nn_list_nn("ControlRun"), |ctx| {
                FieldFuture::new(control_runs(ctx))
            })
            .argument(InputValue::new("controlId", TypeRef::named("String")))
            .argument(InputValue::new("limit", TypeRef::named("Int")))
            .argument(InputValue::new("offset", TypeRef::named("Int")))
            .argument(InputValue::new("sort", TypeRef::named_nn_list("ControlRunSort")))
            .description("Run history, newest first unless sorted (default limit 20, at most 1000)."),
        )
        .field(
            Field::new("findings", TypeRef::named_nn_list_nn("Finding"), move |ctx| {
                FieldFuture::new(findings(ctx, syntax))
            })
            .argument(InputValue::new("controlId", TypeRef::named_nn("String")))
            .argument(InputValue::new("includeExcepted", TypeRef::named("Boolean")))
            .argument(
                InputValue::new("status", TypeRef::named_nn_list("FindingStatus")).description(
                    "Which assets: FAIL (default), EXCEPTED, PASS (the assets the control applies to that its latest run did not report; an error when a sync committed after that run, or when the applicable assets cannot be listed). Any status is an error (NOT_FOUND) when the control has no run or its latest run did not decide, and BAD_USER_INPUT for an unknown control: never an empty list.",
                ),
            )
            .description("The latest run's failing assets (and excepted ones when asked), internet-exposed and production ones first, resolved to Assets."),
        )
        .field(
            Field::new("exceptions", TypeRef::named_nn_list_nn("ControlException"), |ctx| {
                FieldFuture::new(exceptions(ctx))
            })
            .argument(InputValue::new("controlId", TypeRef::named("String")))
            .argument(InputValue::new("active", TypeRef::named("Boolean")))
            .description("Control exceptions."),
        )
}

/// The `Mutation` root.
pub(crate) fn mutation() -> Object {
    Object::new("Mutation")
        .field(
            Field::new(
                "createControlException",
                TypeRef::named_nn("ControlException"),
                |ctx| FieldFuture::new(create_exception(ctx)),
            )
            .argument(InputValue::new("controlId", TypeRef::named_nn("String")))
            .argument(InputValue::new(
                "assetIdentifier",
                TypeRef::named_nn("String"),
            ))
            .argument(InputValue::new("owner", TypeRef::named_nn("String")))
            .argument(InputValue::new("reason", TypeRef::named_nn("String")))
            .argument(InputValue::new("expiresAt", TypeRef::named_nn("DateTime")))
            .description(
                "Excepts one asset from one control until expiresAt (owner and reason required).",
            ),
        )
        .field(
            Field::new(
                "revokeControlException",
                TypeRef::named_nn("Boolean"),
                |ctx| FieldFuture::new(revoke_exception(ctx)),
            )
            .argument(InputValue::new("id", TypeRef::named_nn("ID")))
            .description("Revokes an exception; false when there is no such active exception."),
        )
        .field(
            Field::new(
                "runControls",
                TypeRef::named_nn_list_nn("ControlRun"),
                |ctx| FieldFuture::new(run_controls(ctx)),
            )
            .argument(InputValue::new("controlId", TypeRef::named("String")))
            .argument(InputValue::new("cloudAccountId", TypeRef::named("String")))
            .argument(InputValue::new("region", TypeRef::named("String")))
            .argument(InputValue::new("resync", TypeRef::named("Boolean")))
            .description(
                "Re-scan now: evaluates every enabled control (or one) and records the runs; \
                 with cloudAccountId, the answer shows that account's findings. With resync: \
                 true, the tenant's configured scopes (narrowed by cloudAccountId and region) \
                 are synced first through the worker's code, claiming each scope, and each run's \
                 syncRunId names the newest sync it used; a scope that cannot be synced is an \
                 error (RESYNC_FAILED) and nothing is evaluated. Servers started without \
                 --config answer NOT_CONFIGURED.",
            ),
        )
}
