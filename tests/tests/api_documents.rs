//! The design of docs/decisions/0005 checked against moto over HTTP: the collector can take a
//! Describe* answer's JSON exactly as the service sent it (a per-call interceptor reads the
//! body after deserialization), and the catalogue alone reads the inventory's rows from it:
//! what the typed SDK output cannot tell apart (a container `cpu` that is absent reads as 0
//! there) stays null, and an environment value never reaches a row.

use std::sync::{Arc, Mutex};

use assetql_model::catalogue::document::{rows, Cell};
use assetql_model::catalogue::TypeDef;
use assetql_tests::moto::Moto;
use aws_sdk_ecs::types::{
    ContainerDefinition, KernelCapabilities, KeyValuePair, LinuxParameters, NetworkMode, Tag,
    TaskDefinitionField,
};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::AfterDeserializationInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value as Json;

/// Keeps the body of the answer to the one call it is attached to.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Option<Vec<u8>>>>);

impl Intercept for Capture {
    fn name(&self) -> &'static str {
        "Capture"
    }

    fn read_after_deserialization(
        &self,
        context: &AfterDeserializationInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let body = context.response().body().bytes().map(<[u8]>::to_vec);
        *self.0.lock().expect("capture lock") = body;
        Ok(())
    }
}

#[tokio::test]
async fn a_described_task_definition_is_read_from_the_api_json_by_the_catalogue() {
    let moto = Moto::from_env();
    let ecs = aws_sdk_ecs::Client::new(&moto.sdk_config().await);
    let family = format!("doc-{}", uuid::Uuid::new_v4().simple());
    let secret = "s3cr3t-value-never-stored";
    let app = ContainerDefinition::builder()
        .name("app")
        .image("nginx:1")
        .memory(64)
        .privileged(true)
        .environment(
            KeyValuePair::builder()
                .name("AWS_SECRET_ACCESS_KEY")
                .value(secret)
                .build(),
        )
        .linux_parameters(
            LinuxParameters::builder()
                .capabilities(KernelCapabilities::builder().add("SYS_ADMIN").build())
                .build(),
        )
        .build();
    let sidecar = ContainerDefinition::builder()
        .name("sidecar")
        .image("busybox")
        .memory(32)
        .cpu(8)
        .essential(false)
        .build();
    let registered = ecs
        .register_task_definition()
        .family(&family)
        .network_mode(NetworkMode::Host)
        .container_definitions(app)
        .container_definitions(sidecar)
        .tags(Tag::builder().key("team").value("payments").build())
        .send()
        .await
        .expect("register");
    let arn = registered
        .task_definition()
        .and_then(|t| t.task_definition_arn())
        .expect("an ARN")
        .to_owned();

    let capture = Capture::default();
    let described = ecs
        .describe_task_definition()
        .task_definition(&arn)
        .include(TaskDefinitionField::Tags)
        .customize()
        .interceptor(capture.clone())
        .send()
        .await
        .expect("describe");
    let body = capture
        .0
        .lock()
        .expect("capture lock")
        .take()
        .expect("the answer's body was captured");
    let answer: Json = serde_json::from_slice(&body).expect("the body is JSON");
    let mut document = answer["taskDefinition"].clone();
    document["tags"] = answer["tags"].clone();

    let ty = TypeDef::named("EcsTaskDefinition").expect("type");
    let rows = rows(ty, &document);
    let tables: Vec<&str> = rows.iter().map(|r| r.table).collect();
    assert_eq!(
        tables,
        [
            "ecs_task_definitions",
            "ecs_container_specs",
            "ecs_container_env_entries",
            "ecs_container_specs",
            "tags"
        ],
        "{rows:#?}"
    );
    assert_eq!(rows[0].get("arn"), Some(&Cell::Text(arn.clone())));
    assert_eq!(rows[0].get("family"), Some(&Cell::Text(family.clone())));
    assert_eq!(
        rows[0].get("network_mode"),
        Some(&Cell::Text("host".into()))
    );
    // The typed output reads an absent container `cpu` as 0, whatever the JSON says; the rows
    // say what the JSON says (moto 5 writes `"cpu": 0` for a container registered without one;
    // AWS leaves the key out, which reads as null: the unit tests of `document` hold that).
    let typed = described
        .task_definition()
        .map(|t| t.container_definitions())
        .expect("containers");
    assert_eq!(typed[0].cpu(), 0);
    let expected = match document["containerDefinitions"][0].get("cpu") {
        Some(Json::Number(n)) => Cell::Int(n.as_i64().expect("an integer")),
        _ => Cell::Null,
    };
    assert_eq!(rows[1].get("cpu"), Some(&expected));
    assert_eq!(rows[3].get("cpu"), Some(&Cell::Int(8)));
    assert_eq!(rows[1].get("privileged"), Some(&Cell::Bool(true)));
    assert_eq!(rows[1].get("user_name"), Some(&Cell::Null));
    assert_eq!(
        rows[1].get("capabilities_add"),
        Some(&Cell::TextList(vec!["SYS_ADMIN".into()]))
    );
    assert_eq!(rows[2].get("has_value"), Some(&Cell::Bool(true)));
    assert_eq!(rows[3].get("essential"), Some(&Cell::Bool(false)));
    assert_eq!(rows[4].get("value"), Some(&Cell::Text("payments".into())));
    assert!(
        !format!("{rows:?}").contains(secret),
        "an environment value reached a row"
    );
}
