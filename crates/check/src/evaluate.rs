//! Loading declared resources into an in-memory embedded database, exactly as a sync writes
//! API answers, and running the controls on it; unknown values by re-running with substitutes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use assetql_controls::{Catalogue, Control, Runner};
use assetql_graphql::Engine;
use assetql_model::catalogue::{
    ECS_CAPACITY_PROVIDER, ECS_CLUSTER, ECS_SERVICE, ECS_TASK, ECS_TASK_DEFINITION, ECS_TASK_SET,
};
use assetql_model::{Scope, TenantId};
use assetql_store::{ControlStatus, Database, PoolOptions};
use serde_json::{json, Value as Json};

use crate::discover::Discovered;
use crate::model::{CheckError, ControlOutcome, Declared, Finding, Kind, Options, Report};
use crate::value::{self, substitute};

const REGION: &str = "us-east-1";
/// The value an unknown takes in the "fresh value" run: equal to nothing a control mentions.
const FRESH: &str = "assetql-unknown-value";

/// A declared resource with the identity it is loaded under.
struct Placed {
    /// Index into the declared resources.
    index: usize,
    /// Its scope's account.
    account: String,
    /// Its ARN (the inventory's identifier).
    arn: String,
}

fn text(api: &Json, key: &str) -> Option<String> {
    api.get(key).and_then(Json::as_str).map(str::to_owned)
}

/// The name in an ARN or name reference (`arn:…:cluster/c1` or `c1`).
fn last_name(reference: &str) -> String {
    reference.rsplit('/').next().unwrap_or(reference).to_owned()
}

/// Gives each resource an ARN; a file's resources share an account, and files whose names
/// would collide (two files with family `web`) get different ones.
fn place(declared: &[Declared]) -> Vec<Placed> {
    let mut files: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, d) in declared.iter().enumerate() {
        files.entry(d.file.as_str()).or_default().push(i);
    }
    let mut scopes: Vec<BTreeSet<String>> = Vec::new();
    let mut out = Vec::new();
    for indexes in files.values() {
        let names: BTreeSet<String> = indexes
            .iter()
            .map(|i| {
                let d = &declared[*i];
                format!("{:?}/{}", d.kind, identity_name(d))
            })
            .collect();
        let slot = match scopes.iter().position(|s| s.is_disjoint(&names)) {
            Some(slot) => slot,
            None => {
                scopes.push(BTreeSet::new());
                scopes.len() - 1
            }
        };
        scopes[slot].extend(names);
        let account = format!("{:012}", slot + 1);
        let mut revisions: HashMap<String, u32> = HashMap::new();
        let cluster_of = |d: &Declared| -> String {
            match d.links.iter().find(|(k, _)| k == "clusterArn") {
                Some((_, target)) => indexes
                    .iter()
                    .map(|i| &declared[*i])
                    .find(|c| c.resource == *target)
                    .map_or_else(|| target.clone(), identity_name),
                None => text(&d.api, "clusterArn")
                    .map_or_else(|| "default".to_owned(), |c| last_name(&c)),
            }
        };
        for i in indexes {
            let d = &declared[*i];
            let name = identity_name(d);
            let resource = match d.kind {
                Kind::TaskDefinition => {
                    let revision = revisions.entry(name.clone()).or_insert(0);
                    *revision += 1;
                    format!("task-definition/{name}:{revision}")
                }
                Kind::Cluster => format!("cluster/{name}"),
                Kind::Service => format!("service/{}/{name}", cluster_of(d)),
                Kind::TaskSet => format!("task-set/{}/{name}", cluster_of(d)),
                Kind::CapacityProvider => format!("capacity-provider/{name}"),
            };
            out.push(Placed {
                index: *i,
                account: account.clone(),
                arn: format!("arn:aws:ecs:{REGION}:{account}:{resource}"),
            });
        }
    }
    out
}

/// The name a resource's ARN carries.
fn identity_name(d: &Declared) -> String {
    let key = match d.kind {
        Kind::TaskDefinition => "family",
        Kind::Cluster => "clusterName",
        Kind::Service => "serviceName",
        Kind::CapacityProvider => "name",
        Kind::TaskSet => "",
    };
    let name = text(&d.api, key).unwrap_or_else(|| d.resource.clone());
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Replaces links to other resources of the file with their ARNs.
fn resolve_links(value: &Json, arns: &HashMap<(String, String), String>, file: &str) -> Json {
    if let Some(target) = value.get("$assetqlLink").and_then(Json::as_str) {
        return arns
            .get(&(file.to_owned(), target.to_owned()))
            .map_or(Json::Null, |a| Json::String(a.clone()));
    }
    match value {
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), resolve_links(v, arns, file)))
                .collect(),
        ),
        Json::Array(items) => {
            Json::Array(items.iter().map(|v| resolve_links(v, arns, file)).collect())
        }
        other => other.clone(),
    }
}

/// The API document of `placed` with unknowns replaced by `with`.
fn document(
    d: &Declared,
    placed: &Placed,
    arns: &HashMap<(String, String), String>,
    with: Option<&Json>,
) -> Json {
    let mut api = d.api.clone();
    crate::structure::substitute_children(type_of(d.kind), &mut api, with);
    let mut api = resolve_links(&substitute(&api, with), arns, &d.file);
    if let Json::Object(map) = &mut api {
        for (key, target) in &d.links {
            if let Some(arn) = arns.get(&(d.file.clone(), target.clone())) {
                map.insert(key.clone(), Json::String(arn.clone()));
            }
        }
        let set = |map: &mut serde_json::Map<String, Json>, k: &str, v: Json| {
            map.insert(k.to_owned(), v);
        };
        let cluster = format!(
            "arn:aws:ecs:{REGION}:{}:cluster/{}",
            placed.account,
            placed.arn.split('/').nth(1).unwrap_or("default")
        );
        match d.kind {
            Kind::TaskDefinition => {
                set(map, "taskDefinitionArn", json!(placed.arn));
                let revision = placed
                    .arn
                    .rsplit(':')
                    .next()
                    .and_then(|r| r.parse::<i64>().ok());
                set(map, "revision", json!(revision.unwrap_or(1)));
                set(map, "status", json!("ACTIVE"));
                if !map.get("family").is_some_and(Json::is_string) {
                    set(map, "family", json!(identity_name(d)));
                }
            }
            Kind::Cluster => {
                set(map, "clusterArn", json!(placed.arn));
                set(map, "status", json!("ACTIVE"));
            }
            Kind::Service => {
                set(map, "serviceArn", json!(placed.arn));
                set(map, "status", json!("ACTIVE"));
                if !map
                    .get("clusterArn")
                    .and_then(Json::as_str)
                    .is_some_and(|c| c.starts_with("arn:"))
                {
                    set(map, "clusterArn", json!(cluster));
                }
            }
            Kind::TaskSet => {
                let id = placed.arn.rsplit('/').next().unwrap_or_default().to_owned();
                set(map, "taskSetArn", json!(placed.arn));
                set(map, "id", json!(id));
                map.entry("status").or_insert(json!("ACTIVE"));
                if !map
                    .get("clusterArn")
                    .and_then(Json::as_str)
                    .is_some_and(|c| c.starts_with("arn:"))
                {
                    set(map, "clusterArn", json!(cluster));
                }
            }
            Kind::CapacityProvider => {
                set(map, "capacityProviderArn", json!(placed.arn));
                set(map, "status", json!("ACTIVE"));
            }
        }
    }
    api
}

fn type_of(kind: Kind) -> &'static assetql_model::catalogue::TypeDef {
    match kind {
        Kind::TaskDefinition => &ECS_TASK_DEFINITION,
        Kind::Service => &ECS_SERVICE,
        Kind::Cluster => &ECS_CLUSTER,
        Kind::TaskSet => &ECS_TASK_SET,
        Kind::CapacityProvider => &ECS_CAPACITY_PROVIDER,
    }
}

/// Loads `subset` of the placed resources (unknowns replaced by `with`) into a new in-memory
/// database. Returns it and the identifiers of the synthetic running tasks, each with the
/// task definition it runs.
async fn load(
    declared: &[Declared],
    placed: &[&Placed],
    arns: &HashMap<(String, String), String>,
    with: Option<&Json>,
    assume_running: bool,
) -> Result<(Database, HashMap<String, String>), CheckError> {
    // A private in-memory database that every connection of the pool shares (the runner
    // evaluates two controls at once).
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let name = format!(
        "sqlite:file:assetql-check-{}-{}?mode=memory&cache=shared",
        std::process::id(),
        NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    );
    let options = PoolOptions {
        max_connections: 4,
        ..PoolOptions::default()
    };
    let db = Database::connect(&name, &options).await?;
    db.migrate().await?;
    let tenant = TenantId::default_tenant();
    let now = chrono::Utc::now();
    db.ensure_tenant(&tenant, tenant.as_str()).await?;
    let mut accounts: BTreeMap<&str, Vec<&Placed>> = BTreeMap::new();
    for p in placed {
        accounts.entry(p.account.as_str()).or_default().push(p);
    }
    let mut tasks_of = HashMap::new();
    for (account, members) in accounts {
        db.upsert_cloud_account(&tenant, account, None, now).await?;
        let scope = Scope {
            tenant: tenant.clone(),
            cloud_account_id: account.to_owned(),
            region: REGION.to_owned(),
        };
        let run = db.begin_sync_run(&scope, now).await?;
        let mut writer = db.scope_writer(&scope, run, now).await?;
        let mut by_kind: BTreeMap<Kind, Vec<Json>> = BTreeMap::new();
        let mut tasks = Vec::new();
        for p in &members {
            let d = &declared[p.index];
            by_kind
                .entry(d.kind)
                .or_default()
                .push(document(d, p, arns, with));
            if assume_running && d.kind == Kind::TaskDefinition {
                let task = format!(
                    "arn:aws:ecs:{REGION}:{account}:task/predeploy/{}",
                    tasks.len() + 1
                );
                tasks_of.insert(task.clone(), p.arn.clone());
                tasks.push(json!({
                    "taskArn": task,
                    "clusterArn": format!("arn:aws:ecs:{REGION}:{account}:cluster/predeploy"),
                    "taskDefinitionArn": p.arn,
                    "lastStatus": "RUNNING",
                    "desiredStatus": "RUNNING",
                }));
            }
        }
        for (kind, ty) in [
            (Kind::Cluster, &ECS_CLUSTER),
            (Kind::CapacityProvider, &ECS_CAPACITY_PROVIDER),
            (Kind::Service, &ECS_SERVICE),
            (Kind::TaskSet, &ECS_TASK_SET),
            (Kind::TaskDefinition, &ECS_TASK_DEFINITION),
        ] {
            if let Some(docs) = by_kind.get(&kind) {
                writer.upsert(ty, docs).await?;
            }
        }
        writer.upsert(&ECS_TASK, &tasks).await?;
        writer.commit().await?;
    }
    Ok((db, tasks_of))
}

/// Per control: the identifiers it reports, or why it could not be evaluated.
type Verdicts = BTreeMap<String, Result<BTreeSet<String>, String>>;

async fn run(
    engine: &Arc<Engine>,
    db: Database,
    controls: &[&Control],
    tasks_of: &HashMap<String, String>,
) -> Result<Verdicts, CheckError> {
    let runner = Runner::new(Arc::clone(engine), db.clone());
    let runs = runner
        .run_and_record(&TenantId::default_tenant(), controls, None)
        .await?;
    db.close().await;
    Ok(runs
        .into_iter()
        .map(|r| {
            let verdict = match r.status {
                ControlStatus::Pass | ControlStatus::Fail => Ok(r
                    .failing()
                    // A synthetic running task stands for the task definition it runs.
                    .map(|f| {
                        tasks_of
                            .get(&f.asset_identifier)
                            .cloned()
                            .unwrap_or_else(|| f.asset_identifier.clone())
                    })
                    .collect()),
                // Only reached for a resource of the control's types when that type was not
                // loaded: never read as a pass (controls without such resources are
                // not_applicable before this is looked at).
                ControlStatus::NoData | ControlStatus::Error => {
                    Err(r.error.unwrap_or_else(|| "not evaluated".to_owned()))
                }
            };
            (r.control_id, verdict)
        })
        .collect())
}

/// The scalar literals a control's query mentions (what an unknown is tried as).
fn literals(query: &str, out: &mut BTreeSet<String>) {
    fn walk(value: &async_graphql::Value, out: &mut BTreeSet<String>) {
        match value {
            async_graphql::Value::Object(map) => map.values().for_each(|v| walk(v, out)),
            async_graphql::Value::List(items) => items.iter().for_each(|v| walk(v, out)),
            async_graphql::Value::Null => {}
            other => {
                if let Ok(json) = other.clone().into_json() {
                    out.insert(json.to_string());
                }
            }
        }
    }
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return;
    };
    for (_, operation) in document.operations.iter() {
        for item in &operation.node.selection_set.node.items {
            if let async_graphql::parser::types::Selection::Field(field) = &item.node {
                for (_, value) in &field.node.arguments {
                    if let Some(value) = value.node.clone().into_const() {
                        walk(&value, out);
                    }
                }
            }
        }
    }
}

/// Checks the discovered resources with `catalogue`'s controls.
pub async fn evaluate(
    found: &Discovered,
    catalogue: &Catalogue,
    options: &Options,
) -> Result<Report, CheckError> {
    let controls: Vec<&Control> = if options.controls.is_empty() {
        catalogue
            .controls
            .iter()
            .filter(|c| c.enabled && c.is_supported())
            .collect()
    } else {
        options
            .controls
            .iter()
            .map(|id| {
                catalogue
                    .get(id)
                    .ok_or_else(|| CheckError::UnknownControl(id.clone()))
            })
            .collect::<Result<_, _>>()?
    };
    let engine = Arc::new(Engine::new().map_err(|e| CheckError::Engine(e.to_string()))?);
    let declared = &found.declared;
    let placed = place(declared);
    let arns: HashMap<(String, String), String> = placed
        .iter()
        .map(|p| {
            let d = &declared[p.index];
            ((d.file.clone(), d.resource.clone()), p.arn.clone())
        })
        .collect();
    let source: HashMap<&str, &Declared> = placed
        .iter()
        .map(|p| (p.arn.as_str(), &declared[p.index]))
        .collect();
    let assume_running = !options.no_assume_running;

    // Unknowns absent: every file.
    let everything: Vec<&Placed> = placed.iter().collect();
    let (db, tasks_of) = load(declared, &everything, &arns, None, assume_running).await?;
    let base = run(&engine, db, &controls, &tasks_of).await?;

    // Files with unknowns again, with each substitute.
    let mut unknown_props: HashMap<&str, Vec<String>> = HashMap::new();
    for p in &placed {
        let mut props = Vec::new();
        value::unknowns(&declared[p.index].api, &mut props);
        if !props.is_empty() {
            unknown_props.insert(p.arn.as_str(), props);
        }
    }
    let uncertain_files: BTreeSet<&str> = unknown_props
        .keys()
        .filter_map(|arn| source.get(arn).map(|d| d.file.as_str()))
        .collect();
    let subset: Vec<&Placed> = placed
        .iter()
        .filter(|p| uncertain_files.contains(declared[p.index].file.as_str()))
        .collect();
    let mut variants: Vec<Verdicts> = Vec::new();
    if !subset.is_empty() {
        let mut substitutes: BTreeSet<String> = BTreeSet::new();
        substitutes.insert(Json::String(FRESH.to_owned()).to_string());
        for control in &controls {
            literals(&control.query, &mut substitutes);
        }
        for text in substitutes {
            let with: Json = serde_json::from_str(&text).unwrap_or(Json::Null);
            let (db, tasks_of) =
                load(declared, &subset, &arns, Some(&with), assume_running).await?;
            variants.push(run(&engine, db, &controls, &tasks_of).await?);
        }
    }

    let mut results = Vec::new();
    let mut outcomes = Vec::new();
    for control in &controls {
        let applies = |d: &Declared| {
            control.asset_types.iter().any(|t| t == d.kind.asset_type())
                || (assume_running
                    && d.kind == Kind::TaskDefinition
                    && control.asset_types.iter().any(|t| t == "ECSTask"))
        };
        let applicable: Vec<&Placed> = placed
            .iter()
            .filter(|p| applies(&declared[p.index]))
            .collect();
        let mut outcome = ControlOutcome {
            id: control.id.clone(),
            status: "pass",
            failing: 0,
            unknown: 0,
            error: None,
        };
        if applicable.is_empty() {
            outcome.status = "not_applicable";
            outcomes.push(outcome);
            continue;
        }
        let base_verdict = base
            .get(&control.id)
            .cloned()
            .unwrap_or_else(|| Err("not evaluated".to_owned()));
        for p in &applicable {
            let d = &declared[p.index];
            let in_base = base_verdict.as_ref().map(|s| s.contains(&p.arn));
            let uncertain = uncertain_files.contains(d.file.as_str());
            let others: Vec<Result<bool, String>> = if uncertain {
                variants
                    .iter()
                    .map(|v| match v.get(&control.id) {
                        Some(Ok(set)) => Ok(set.contains(&p.arn)),
                        Some(Err(e)) => Err(e.clone()),
                        None => Err("not evaluated".to_owned()),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let status = match in_base {
                // The query failed: nothing is known of this resource (never a pass).
                Err(e) => {
                    outcome.error = Some(e.clone());
                    "unknown"
                }
                Ok(failing) => {
                    if others
                        .iter()
                        .any(|o| o.as_ref().map_or(true, |f| *f != failing))
                    {
                        "unknown"
                    } else if failing {
                        "fail"
                    } else {
                        continue;
                    }
                }
            };
            let property = (status == "unknown").then(|| {
                unknown_props.get(p.arn.as_str()).map_or_else(
                    || match &outcome.error {
                        Some(e) => format!("(the control could not be evaluated: {e})"),
                        None => "(depends on a value elsewhere in the file that is unknown before deploy)".to_owned(),
                    },
                    |props| props.join(", "),
                )
            });
            if status == "fail" {
                outcome.failing += 1;
            } else {
                outcome.unknown += 1;
            }
            results.push(Finding {
                control: control.id.clone(),
                file: d.file.clone(),
                resource: d.resource.clone(),
                line: d.line,
                status,
                asset_type: d.kind.asset_type(),
                property,
            });
        }
        outcome.status = if outcome.failing > 0 {
            "fail"
        } else if outcome.unknown > 0 {
            "unknown"
        } else {
            "pass"
        };
        outcomes.push(outcome);
    }
    results.sort_by(|a, b| {
        (&a.file, a.line, &a.resource, &a.control).cmp(&(&b.file, b.line, &b.resource, &b.control))
    });
    Ok(Report {
        files: found.files.clone(),
        skipped: found.skipped.clone(),
        resources: declared.len(),
        results,
        controls: outcomes,
    })
}
