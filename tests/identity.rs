//! Sign-in identities end to end, on moto's Cognito through the real SDK client:
//! fairlink-local on the AWS backend with `FAIRLINK_AUTH=jwt` verifies the user pool's
//! tokens as API Gateway's JWT authorizer does. Each test bootstraps its own stack (table,
//! queues, pool and web client) on the shared emulator.

use aws_sdk_cognitoidentityprovider::{
    Client as Cognito,
    types::{AuthFlowType, ChallengeNameType},
};
use fairlink_local::{AuthMode, JwtSettings};
use fairlink_tests::{Store, TestServer, local_config, moto_python, moto_sdk_config, sample_fair};
use serde_json::{Value, json};

type AuthAnswer =
    aws_sdk_cognitoidentityprovider::operation::admin_initiate_auth::AdminInitiateAuthOutput;

const TEMPORARY: &str = "Temporary-Passw0rd";
const CHOSEN: &str = "My-Own-Passw0rd";

struct World {
    server: TestServer,
    cognito: Cognito,
    pool_id: String,
    client_id: String,
    issuer: String,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut config = local_config(Store::Aws, dir.path().to_path_buf());
    config.auth = AuthMode::Jwt(JwtSettings::default());
    config.organizer_email = "organizer@fair.example".into();
    let server = TestServer::start(config, Some(std::sync::Arc::new(dir))).await;
    let sign_in = server.send("GET", "/v1/auth/config", None, None).await;
    let sign_in = sign_in.expect(200).clone();
    assert_eq!(sign_in["provider"], "cognito", "{sign_in}");
    World {
        cognito: Cognito::new(&moto_sdk_config().await),
        pool_id: sign_in["userPoolId"].as_str().unwrap().into(),
        client_id: sign_in["clientId"].as_str().unwrap().into(),
        issuer: sign_in["issuer"].as_str().unwrap().into(),
        server,
    }
}

struct Tokens {
    id: String,
    access: String,
    refresh: String,
}

impl World {
    /// What a person does with the invitation: signs in with the temporary password it
    /// carries (set here, as moto sends no email), and chooses a password.
    async fn accept_invitation(&self, email: &str) -> Tokens {
        self.cognito
            .admin_set_user_password()
            .user_pool_id(&self.pool_id)
            .username(email)
            .password(TEMPORARY)
            .permanent(false)
            .send()
            .await
            .unwrap();
        let first = self.password_auth(email, TEMPORARY).await.unwrap();
        assert_eq!(
            first.challenge_name(),
            Some(&ChallengeNameType::NewPasswordRequired)
        );
        let answered = self
            .cognito
            .admin_respond_to_auth_challenge()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .challenge_name(ChallengeNameType::NewPasswordRequired)
            .set_session(first.session().map(String::from))
            .challenge_responses("USERNAME", email)
            .challenge_responses("NEW_PASSWORD", CHOSEN)
            .send()
            .await
            .unwrap();
        let result = answered.authentication_result().expect("tokens");
        Tokens {
            id: result.id_token().unwrap().into(),
            access: result.access_token().unwrap().into(),
            refresh: result.refresh_token().unwrap().into(),
        }
    }

    /// The admin password flow (the deployed web client signs in with SRP instead).
    async fn password_auth(&self, email: &str, password: &str) -> Result<AuthAnswer, String> {
        self.cognito
            .admin_initiate_auth()
            .user_pool_id(&self.pool_id)
            .client_id(&self.client_id)
            .auth_flow(AuthFlowType::AdminUserPasswordAuth)
            .auth_parameters("USERNAME", email)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))
    }

    async fn sign_in(&self, email: &str) -> Result<String, String> {
        let answer = self.password_auth(email, CHOSEN).await?;
        let result = answer.authentication_result().ok_or("no tokens")?;
        Ok(result.id_token().unwrap_or_default().into())
    }

    async fn user(&self, email: &str) -> Option<(String, Option<String>, bool)> {
        let user = self
            .cognito
            .admin_get_user()
            .user_pool_id(&self.pool_id)
            .username(email)
            .send()
            .await
            .ok()?;
        let attribute = |name: &str| {
            user.user_attributes()
                .iter()
                .find(|a| a.name() == name)
                .and_then(|a| a.value().map(String::from))
        };
        Some((
            attribute("sub").unwrap(),
            attribute("custom:account_id"),
            user.enabled(),
        ))
    }

    async fn users_with_email(&self, email: &str) -> usize {
        self.cognito
            .list_users()
            .user_pool_id(&self.pool_id)
            .filter(format!("email = \"{email}\""))
            .send()
            .await
            .unwrap()
            .users()
            .len()
    }

    async fn me(&self, token: &str) -> fairlink_tests::Response {
        self.server.get("/v1/me", token).await
    }

    async fn organizer_token(&self) -> String {
        self.accept_invitation("organizer@fair.example").await.id
    }

    /// The organizer sets up the fair and makes an exhibitor; its main account accepts the
    /// invitation.
    async fn exhibitor(&self, main_email: &str) -> (Value, Tokens) {
        let organizer = self.organizer_token().await;
        assert_eq!(self.me(&organizer).await.expect(200)["role"], "organizer");
        self.server
            .put("/v1/fair", &organizer, sample_fair(chrono::Utc::now()))
            .await
            .expect(200);
        let created = self
            .server
            .post(
                "/v1/exhibitors",
                &organizer,
                json!({"name": "Acme Audio", "zoneIds": ["electronics"],
                       "mainAccount": {"name": "Li Wei", "email": main_email, "phone": null,
                                       "language": "zh", "timeZone": "Asia/Shanghai"}}),
            )
            .await;
        let created = created.expect(201).clone();
        (created, self.accept_invitation(main_email).await)
    }

    async fn sub_account(&self, eid: &str, main: &Tokens, email: &str) -> Value {
        let sub = self
            .server
            .post(
                &format!("/v1/exhibitors/{eid}/accounts"),
                &main.id,
                json!({"name": "Zhang Min", "email": email, "language": "zh",
                       "timeZone": "Asia/Shanghai", "permissions": ["im"], "zoneIds": ["electronics"]}),
            )
            .await;
        sub.expect(201).clone()
    }

    async fn register(&self, email: &str) -> fairlink_tests::Response {
        self.server
            .send(
                "POST",
                "/v1/buyers",
                None,
                Some(
                    json!({"name": "Ann Lee", "company": "Lee Imports", "country": "US",
                            "email": email, "language": "en", "timeZone": "America/New_York"}),
                ),
            )
            .await
    }
}

/// A token signed with moto's own key (the issuer's key): what only a forger holding the
/// issuer's key, or a user able to change their claims, could present.
fn signed_by_the_issuer(header: Value, claims: Value) -> String {
    let script = r#"
import json, sys
from moto.cognitoidp import models
from joserfc import jwt
key = models.jwk.RSAKey.import_key(models.load_resource("cognitoidp/resources/jwks-private.json"))
print(jwt.encode(json.loads(sys.argv[1]), json.loads(sys.argv[2]), key))
"#;
    let out = std::process::Command::new(moto_python())
        .args(["-c", script, &header.to_string(), &claims.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

fn claims_of(token: &str) -> Value {
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let body = token.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).unwrap()).unwrap()
}

#[tokio::test]
async fn a_buyer_registers_signs_in_through_the_pool_and_calls_me() {
    let world = world().await;
    let registered = world.register("ann.lee@lee.example").await;
    let buyer = registered.expect(201).clone();
    let (sub, account_claim, enabled) = world.user("ann.lee@lee.example").await.unwrap();
    assert_eq!(account_claim.as_deref(), buyer["id"].as_str());
    assert!(enabled);
    assert_eq!(
        world.issuer,
        format!(
            "https://cognito-idp.us-east-1.amazonaws.com/{}",
            world.pool_id
        )
    );

    let tokens = world.accept_invitation("ann.lee@lee.example").await;
    assert_eq!(claims_of(&tokens.id)["sub"], sub.as_str());
    let me = world.me(&tokens.id).await;
    let me = me.expect(200);
    assert_eq!(
        (me["id"].clone(), me["role"].clone()),
        (buyer["id"].clone(), json!("buyer"))
    );
    // The access token names only the identity: fairlink finds the account by its link.
    let me = world.me(&tokens.access).await;
    assert_eq!(me.expect(200)["id"], buyer["id"]);
    // Signing in again with the chosen password works too.
    let again = world.sign_in("ann.lee@lee.example").await.unwrap();
    assert_eq!(world.me(&again).await.expect(200)["id"], buyer["id"]);
    // A development token is not accepted, and none is handed out.
    let dev = world
        .server
        .send(
            "POST",
            "/v1/dev/tokens",
            None,
            Some(json!({"accountId": "organizer"})),
        )
        .await;
    dev.expect_problem(409, "dev_tokens_off");
    let dev_token = fairlink_http::issue_token(
        fairlink_local::DEV_SECRET.as_bytes(),
        "organizer",
        chrono::Utc::now(),
        chrono::Duration::hours(1),
    );
    world
        .me(&dev_token)
        .await
        .expect_problem(401, "unauthenticated");
    // An email that is taken answers as before, and makes no second identity.
    world
        .register("Ann.Lee@lee.example")
        .await
        .expect_problem(409, "email_taken");
    assert_eq!(world.users_with_email("ann.lee@lee.example").await, 1);
}

#[tokio::test]
async fn exhibitor_main_and_sub_accounts_sign_in_after_setting_their_password() {
    let world = world().await;
    let (created, main) = world.exhibitor("li.wei@acme.example").await;
    let me = world.me(&main.id).await;
    assert_eq!(me.expect(200)["id"], created["mainAccount"]["id"]);
    assert_eq!(me.body["isMain"], true);

    let eid = created["exhibitor"]["id"].as_str().unwrap();
    let sub = world
        .sub_account(eid, &main, "zhang.min@acme.example")
        .await;
    let (_, link, _) = world.user("zhang.min@acme.example").await.unwrap();
    assert_eq!(link.as_deref(), sub["id"].as_str());
    let sub_tokens = world.accept_invitation("zhang.min@acme.example").await;
    let me = world.me(&sub_tokens.id).await;
    assert_eq!(me.expect(200)["id"], sub["id"]);
    assert_eq!(me.body["isMain"], false);
    // The sub-account's token is its own, with its own rights.
    world
        .server
        .get(&format!("/v1/exhibitors/{eid}/accounts"), &sub_tokens.id)
        .await
        .expect_problem(403, "forbidden");
}

#[tokio::test]
async fn a_deactivated_account_is_refused_and_its_sessions_end() {
    let world = world().await;
    let (created, main) = world.exhibitor("li@acme.example").await;
    let eid = created["exhibitor"]["id"].as_str().unwrap();
    let sub = world.sub_account(eid, &main, "min@acme.example").await;
    let sub_tokens = world.accept_invitation("min@acme.example").await;
    world.me(&sub_tokens.id).await.expect(200);

    let sid = sub["id"].as_str().unwrap();
    let deleted = world
        .server
        .delete(&format!("/v1/accounts/{sid}"), &main.id)
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.body);
    // Its tokens, still unexpired, are refused at once.
    world
        .me(&sub_tokens.id)
        .await
        .expect_problem(401, "account_deactivated");
    world
        .me(&sub_tokens.access)
        .await
        .expect_problem(401, "account_deactivated");
    // Its identity is disabled: no new sign-in, no refresh.
    let (_, _, enabled) = world.user("min@acme.example").await.unwrap();
    assert!(!enabled);
    assert!(world.sign_in("min@acme.example").await.is_err());
    let refreshed = world
        .cognito
        .admin_initiate_auth()
        .user_pool_id(&world.pool_id)
        .client_id(&world.client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", &sub_tokens.refresh)
        .send()
        .await;
    assert!(refreshed.is_err(), "the refresh token still works");
    // Deactivating again is fine; the main account is untouched.
    let again = world
        .server
        .delete(&format!("/v1/accounts/{sid}"), &main.id)
        .await;
    assert_eq!(again.status, 204);
    world.me(&main.id).await.expect(200);
}

#[tokio::test]
async fn forged_foreign_expired_and_unsigned_tokens_are_refused() {
    let world = world().await;
    let buyer = world.register("eve@evil.example").await.expect(201).clone();
    let tokens = world.accept_invitation("eve@evil.example").await;
    world.me(&tokens.id).await.expect(200);
    let genuine = claims_of(&tokens.id);
    let now = chrono::Utc::now().timestamp();
    let header = json!({"alg": "RS256", "kid": "dummy", "typ": "JWT"});

    // The buyer's own identity claiming the organizer's account: the organizer account
    // signs in as another identity, so the claim is refused.
    let mut forged = genuine.clone();
    forged["custom:account_id"] = json!("organizer");
    let token = signed_by_the_issuer(header.clone(), forged);
    world
        .me(&token)
        .await
        .expect_problem(401, "unknown_identity");

    // Expired an hour ago, otherwise genuine.
    let mut expired = genuine.clone();
    expired["exp"] = json!(now - 3600);
    expired["iat"] = json!(now - 7200);
    let token = signed_by_the_issuer(header.clone(), expired);
    world
        .me(&token)
        .await
        .expect_problem(401, "unauthenticated");

    // Meant for another app client.
    let mut other_client = genuine.clone();
    other_client["aud"] = json!("another-client");
    let token = signed_by_the_issuer(header.clone(), other_client);
    world
        .me(&token)
        .await
        .expect_problem(401, "unauthenticated");

    // From another pool of the same emulator (same signing key, other issuer).
    let other = world
        .cognito
        .create_user_pool()
        .pool_name(format!("other-{}", ulid::Ulid::new()))
        .send()
        .await
        .unwrap();
    let other_pool = other.user_pool().unwrap().id().unwrap().to_string();
    let mut foreign = genuine.clone();
    foreign["iss"] = json!(format!(
        "https://cognito-idp.us-east-1.amazonaws.com/{other_pool}"
    ));
    let token = signed_by_the_issuer(header.clone(), foreign);
    world
        .me(&token)
        .await
        .expect_problem(401, "unauthenticated");

    // Unsigned.
    use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
    let none = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(json!({"alg": "none", "kid": "dummy"}).to_string()),
        URL_SAFE_NO_PAD.encode(genuine.to_string())
    );
    world.me(&none).await.expect_problem(401, "unauthenticated");
    // The genuine token's signature on changed claims.
    let parts: Vec<&str> = tokens.id.split('.').collect();
    let mut changed = genuine.clone();
    changed["custom:account_id"] = json!("organizer");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        URL_SAFE_NO_PAD.encode(changed.to_string()),
        parts[2]
    );
    world
        .me(&tampered)
        .await
        .expect_problem(401, "unauthenticated");

    // An identity of the pool that fairlink did not make: no account.
    world
        .cognito
        .admin_create_user()
        .user_pool_id(&world.pool_id)
        .username("stray@pool.example")
        .send()
        .await
        .unwrap();
    let stray = world.accept_invitation("stray@pool.example").await;
    world
        .me(&stray.id)
        .await
        .expect_problem(401, "unknown_identity");
    world
        .me(&stray.access)
        .await
        .expect_problem(401, "unknown_identity");
    // The user cannot write the attribute that names its account.
    let rewritten = world
        .cognito
        .update_user_attributes()
        .access_token(&tokens.access)
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("custom:account_id")
                .value("organizer")
                .build()
                .unwrap(),
        )
        .send()
        .await;
    if rewritten.is_ok() {
        // moto does not enforce the client's write attributes; fairlink still refuses.
        let token = world.sign_in("eve@evil.example").await.unwrap();
        assert_eq!(claims_of(&token)["custom:account_id"], "organizer");
        world
            .me(&token)
            .await
            .expect_problem(401, "unknown_identity");
    }
    let _ = buyer;
}

#[tokio::test]
async fn a_half_made_account_is_completed_by_its_repeat_and_never_duplicated() {
    let world = world().await;
    // A registration whose identity was made but whose account was never stored (the
    // process died between the two): the identity names an account that does not exist.
    world
        .cognito
        .admin_create_user()
        .user_pool_id(&world.pool_id)
        .username("half@made.example")
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value("half@made.example")
                .build()
                .unwrap(),
        )
        .user_attributes(
            aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("custom:account_id")
                .value("acc_01HALFMADE0000000000000000")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let repeat = world.register("half@made.example").await;
    assert_eq!(repeat.expect(201)["id"], "acc_01HALFMADE0000000000000000");
    assert_eq!(world.users_with_email("half@made.example").await, 1);
    let tokens = world.accept_invitation("half@made.example").await;
    assert_eq!(
        world.me(&tokens.id).await.expect(200)["id"],
        "acc_01HALFMADE0000000000000000"
    );
    world
        .register("half@made.example")
        .await
        .expect_problem(409, "email_taken");

    // Two registrations of one email at once: one account, one identity, linked.
    let (a, b) = tokio::join!(
        world.register("twice@race.example"),
        world.register("twice@race.example")
    );
    let mut statuses = [a.status, b.status];
    statuses.sort();
    assert_eq!(statuses, [201, 409], "{} / {}", a.body, b.body);
    let winner = if a.status == 201 { &a.body } else { &b.body };
    assert_eq!(world.users_with_email("twice@race.example").await, 1);
    let (_, link, _) = world.user("twice@race.example").await.unwrap();
    assert_eq!(link.as_deref(), winner["id"].as_str());
    let tokens = world.accept_invitation("twice@race.example").await;
    assert_eq!(world.me(&tokens.id).await.expect(200)["id"], winner["id"]);
}

#[tokio::test]
async fn the_organizer_setup_makes_exactly_one_organizer_however_often_it_runs() {
    use fairlink_accounts::{OrganizerSetup, ensure_organizer};
    let world = world().await;
    let ports = world.server.ports.clone();
    let repo = fairlink_store::Repository::new(ports.store.clone(), ports.queue.clone());
    // fairlink-local's start ran it once; again, and twice at once.
    assert_eq!(
        ensure_organizer(&repo, &ports, "organizer@fair.example")
            .await
            .unwrap(),
        OrganizerSetup::Unchanged
    );
    let (a, b) = tokio::join!(
        ensure_organizer(&repo, &ports, "organizer@fair.example"),
        ensure_organizer(&repo, &ports, "organizer@fair.example")
    );
    assert!(a.is_ok() && b.is_ok(), "{a:?} {b:?}");
    assert_eq!(world.users_with_email("organizer@fair.example").await, 1);
    // Another email cannot silently replace the organizer.
    let err = ensure_organizer(&repo, &ports, "someone@else.example")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("cannot be changed"), "{err}");
    assert_eq!(world.users_with_email("someone@else.example").await, 0);

    // The stack's custom resource: a Create and an Update, answered to CloudFormation's
    // URL (a local server standing in for the pre-signed S3 URL).
    let (url, answers) = response_catcher().await;
    for request_type in ["Create", "Update", "Delete"] {
        let mut event = json!({
            "RequestType": request_type, "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:organizer",
            "ResponseURL": url, "StackId": "arn:aws:cloudformation:us-east-1:123456789012:stack/fairlink/1",
            "RequestId": format!("req-{request_type}"), "ResourceType": "Custom::Organizer",
            "LogicalResourceId": "Organizer", "ResourceProperties": {"ServiceToken": "x", "Email": "organizer@fair.example"}
        });
        if request_type != "Create" {
            event["PhysicalResourceId"] = json!("organizer");
            event["OldResourceProperties"] = json!({"Email": "organizer@fair.example"});
        }
        let request: fairlink_accounts::organizer_resource::OrganizerRequest =
            serde_json::from_value(event).unwrap();
        let response = fairlink_accounts::organizer_resource::handle(&request, &repo, &ports).await;
        fairlink_accounts::organizer_resource::send(
            fairlink_accounts::organizer_resource::response_url(&request),
            &response,
        )
        .await
        .unwrap();
    }
    let answers = answers.lock().unwrap().clone();
    assert_eq!(answers.len(), 3);
    for answer in &answers {
        assert_eq!(answer["Status"], "SUCCESS", "{answer}");
        assert_eq!(answer["PhysicalResourceId"], "organizer");
    }
    assert_eq!(world.users_with_email("organizer@fair.example").await, 1);
    let organizer = world.organizer_token().await;
    assert_eq!(world.me(&organizer).await.expect(200)["id"], "organizer");
}

/// A loopback server that records the bodies PUT to it.
async fn response_catcher() -> (String, std::sync::Arc<std::sync::Mutex<Vec<Value>>>) {
    use axum::{Router, body::Bytes, extract::State, routing::put};
    let answers = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let app = Router::new()
        .route(
            "/response",
            put(
                |State(answers): State<std::sync::Arc<std::sync::Mutex<Vec<Value>>>>,
                 body: Bytes| async move {
                    answers
                        .lock()
                        .unwrap()
                        .push(serde_json::from_slice(&body).unwrap());
                },
            ),
        )
        .with_state(answers.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/response", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, answers)
}
