//! What an operator relies on in infra/template.yaml, checked on the template itself: every
//! function logs to its own log group with a retention, every function and dead-letter queue
//! has its alarm, every queue-driven function has a concurrency cap, and nothing is named
//! without the stage.

use serde_yaml::{Mapping, Value};

fn template() -> Mapping {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    match serde_yaml::from_str::<Value>(&text).unwrap() {
        Value::Mapping(m) => m,
        other => panic!("not a mapping: {other:?}"),
    }
}

fn resources(t: &Mapping) -> Vec<(String, Value)> {
    t["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.as_str().unwrap().to_string(), v.clone()))
        .collect()
}

fn of_type<'a>(all: &'a [(String, Value)], kind: &str) -> Vec<&'a (String, Value)> {
    all.iter().filter(|(_, r)| r["Type"] == kind).collect()
}

/// The logical id a `!Ref X` or `!GetAtt X.Attr` names.
fn target(value: &Value) -> Option<String> {
    match value {
        Value::Tagged(tagged) => match tagged.tag.to_string().as_str() {
            "!Ref" => tagged.value.as_str().map(String::from),
            "!GetAtt" => tagged
                .value
                .as_str()
                .and_then(|s| s.split('.').next())
                .map(String::from),
            _ => None,
        },
        _ => None,
    }
}

/// The resources an alarm watches (its dimensions' targets).
fn watched(alarm: &Value) -> Vec<String> {
    alarm["Properties"]["Dimensions"]
        .as_sequence()
        .into_iter()
        .flatten()
        .filter_map(|d| target(&d["Value"]))
        .collect()
}

fn alarm_metrics_on(all: &[(String, Value)], id: &str) -> Vec<String> {
    of_type(all, "AWS::CloudWatch::Alarm")
        .into_iter()
        .filter(|(_, a)| watched(a).iter().any(|w| w == id))
        .map(|(_, a)| {
            a["Properties"]["MetricName"]
                .as_str()
                .unwrap_or("")
                .to_string()
        })
        .collect()
}

#[test]
fn every_function_logs_to_its_own_group_with_a_retention() {
    let t = template();
    let all = resources(&t);
    for (id, function) in of_type(&all, "AWS::Serverless::Function") {
        let group = target(&function["Properties"]["LoggingConfig"]["LogGroup"])
            .unwrap_or_else(|| panic!("{id} has no log group of its own"));
        let (_, log_group) = all
            .iter()
            .find(|(g, _)| *g == group)
            .unwrap_or_else(|| panic!("{id}'s log group {group} is not in the template"));
        assert_eq!(log_group["Type"], "AWS::Logs::LogGroup");
        assert!(
            target(&log_group["Properties"]["RetentionInDays"]).as_deref()
                == Some("LogRetentionDays"),
            "{group} keeps its logs for LogRetentionDays"
        );
    }
}

#[test]
fn every_function_and_dead_letter_queue_has_its_alarms() {
    let t = template();
    let all = resources(&t);
    for (id, _) in of_type(&all, "AWS::Serverless::Function") {
        let metrics = alarm_metrics_on(&all, id);
        for metric in ["Errors", "Throttles"] {
            assert!(
                metrics.iter().any(|m| m == metric),
                "{id} has no {metric} alarm"
            );
        }
    }
    let dead_letter_queues: Vec<String> = of_type(&all, "AWS::SQS::Queue")
        .into_iter()
        .filter_map(|(_, q)| target(&q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"]))
        .collect();
    assert_eq!(dead_letter_queues.len(), 3, "{dead_letter_queues:?}");
    for dlq in &dead_letter_queues {
        let metrics = alarm_metrics_on(&all, dlq);
        assert!(
            metrics
                .iter()
                .any(|m| m == "ApproximateNumberOfMessagesVisible"),
            "{dlq} has no alarm on its visible messages"
        );
    }
    // The API and the scheduler.
    let on_api = alarm_metrics_on(&all, "HttpApi");
    assert!(on_api.iter().any(|m| m == "5xx") && on_api.iter().any(|m| m == "Latency"));
    assert!(
        alarm_metrics_on(&all, "SchedulerFunction")
            .iter()
            .any(|m| m == "Invocations")
    );
    // Every alarm goes to the topic.
    for (id, alarm) in of_type(&all, "AWS::CloudWatch::Alarm") {
        let actions = alarm["Properties"]["AlarmActions"].as_sequence().unwrap();
        assert!(
            actions
                .iter()
                .any(|a| target(a).as_deref() == Some("AlarmTopic")),
            "{id} notifies nobody"
        );
    }
}

#[test]
fn queue_driven_functions_have_a_concurrency_cap() {
    let t = template();
    let all = resources(&t);
    let mut capped = 0;
    for (id, function) in of_type(&all, "AWS::Serverless::Function") {
        let Some(events) = function["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (_, event) in events {
            if event["Type"] == "SQS" {
                assert!(
                    !event["Properties"]["ScalingConfig"]["MaximumConcurrency"].is_null(),
                    "{id}'s queue has no concurrency cap"
                );
                capped += 1;
            }
        }
    }
    assert_eq!(
        capped, 3,
        "the matcher, the notifier and the realtime worker"
    );
}

#[test]
fn names_carry_the_stage() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../infra/template.yaml"
    ))
    .unwrap();
    for line in text.lines().map(str::trim) {
        let named = [
            "LogGroupName:",
            "AlarmName:",
            "TopicName:",
            "DashboardName:",
            "UserPoolName:",
            "Name: !Sub",
        ]
        .iter()
        .any(|field| line.starts_with(field));
        if named {
            assert!(
                line.contains("${Stage}"),
                "a name without the stage: {line}"
            );
        }
    }
}

/// Preflights never reach the JWT authorizer: with CORS configured on the HTTP API, API
/// Gateway answers `OPTIONS` itself, unless a route claims `OPTIONS` (then it would be
/// authorized like any other and fail without a token). So no route names `OPTIONS`, and the
/// CORS configuration allows what the front-end sends and reads.
#[test]
fn preflights_are_answered_by_the_api_not_the_authorizer() {
    let t = template();
    let all = resources(&t);
    let (_, api) = all.iter().find(|(id, _)| id == "HttpApi").unwrap();
    let cors = &api["Properties"]["CorsConfiguration"];
    let listed = |name: &str| -> Vec<String> {
        cors[name]
            .as_sequence()
            .unwrap_or_else(|| panic!("CorsConfiguration has no {name}"))
            .iter()
            .map(|v| v.as_str().unwrap().to_ascii_lowercase())
            .collect()
    };
    for method in ["get", "post", "put", "patch", "delete"] {
        assert!(
            listed("AllowMethods").contains(&method.to_string()),
            "{method}"
        );
    }
    for header in [
        "authorization",
        "content-type",
        "idempotency-key",
        "if-match",
    ] {
        assert!(
            listed("AllowHeaders").contains(&header.to_string()),
            "{header}"
        );
    }
    for header in [
        "x-request-id",
        "retry-after",
        "etag",
        "idempotency-replayed",
    ] {
        assert!(
            listed("ExposeHeaders").contains(&header.to_string()),
            "{header}"
        );
    }
    let mut routes = 0;
    for (id, function) in of_type(&all, "AWS::Serverless::Function") {
        let Some(events) = function["Properties"]["Events"].as_mapping() else {
            continue;
        };
        for (name, event) in events {
            if event["Type"] != "HttpApi" {
                continue;
            }
            routes += 1;
            let method = event["Properties"]["Method"]
                .as_str()
                .unwrap_or("")
                .to_ascii_uppercase();
            assert_ne!(
                method, "OPTIONS",
                "{id}.{name:?} would send preflights to the authorizer"
            );
        }
    }
    assert!(routes > 40, "{routes} routes");
}

/// Every function is built and run for the `Architecture` parameter's processor (x86_64 or
/// arm64), and the model layer (weights alone) serves both; `sam build` picks cargo-lambda's
/// target from it, and the Lambda flags of Cargo.toml exist for both targets.
#[test]
fn functions_run_on_the_architecture_parameter() {
    let t = template();
    let parameter = &t["Parameters"]["Architecture"];
    assert_eq!(parameter["Default"], "x86_64");
    let allowed: Vec<&str> = parameter["AllowedValues"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(allowed, ["x86_64", "arm64"]);
    let globals = t["Globals"]["Function"]["Architectures"]
        .as_sequence()
        .unwrap();
    assert_eq!(globals.len(), 1);
    assert_eq!(target(&globals[0]).as_deref(), Some("Architecture"));
    let all = resources(&t);
    for (id, function) in of_type(&all, "AWS::Serverless::Function") {
        assert!(
            function["Properties"].get("Architectures").is_none(),
            "{id} sets its own architecture"
        );
    }
    let layer = &all.iter().find(|(id, _)| id == "ModelLayer").unwrap().1;
    let compatible = layer["Properties"]["CompatibleArchitectures"]
        .as_sequence()
        .unwrap();
    assert_eq!(compatible.len(), 2);

    // The cargo `--config` entries of cargo-lambda's section, one quoted entry a line.
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.toml");
    let manifest = std::fs::read_to_string(manifest).unwrap();
    let (_, section) = manifest
        .split_once("[workspace.metadata.lambda.build]")
        .expect("cargo-lambda's build section in Cargo.toml");
    let section = section.split("\n[").next().unwrap();
    for triple in ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"] {
        let flags = section
            .lines()
            .map(|line| line.trim().trim_start_matches('\''))
            .find(|line| line.starts_with(&format!("target.{triple}.rustflags=")))
            .unwrap_or_else(|| panic!("no Lambda flags for {triple}"));
        assert!(flags.contains("relocation-model=static"), "{flags}");
    }
}
