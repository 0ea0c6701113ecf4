//! Who may subscribe, to what, and who sees which subscription.

use notification::config::NotificationSettings;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{settings, World};

#[tokio::test]
async fn stations_experts_and_the_public_are_refused_everywhere() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let expert = world.keys.token("expert-1", &["expert"]);
    // A station's credential is an intake API key, not a person's token.
    let station_key = "prism_sk_0123456789abcdef0123456789abcdef";
    let alert = uuid::Uuid::now_v7();
    let calls = [
        ("GET", "/v1/subscriptions".to_owned()),
        ("POST", "/v1/subscriptions".to_owned()),
        ("DELETE", format!("/v1/subscriptions/{alert}")),
        ("GET", "/v1/stream".to_owned()),
        ("GET", "/v1/alerts".to_owned()),
        ("GET", format!("/v1/alerts/{alert}/deliveries")),
        ("POST", format!("/v1/alerts/{alert}/ack")),
    ];
    for (method, path) in calls {
        let url = format!("{}{path}", app.address);
        let request = |token: Option<&str>| {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let request = world
                .client
                .request(method, &url)
                .json(&json!({"channel": {"type": "stream"}}));
            match token {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        };
        let public = request(None).send().await.expect("request");
        assert_eq!(
            public.status(),
            StatusCode::UNAUTHORIZED,
            "public {method} {path}"
        );
        let station = request(Some(station_key)).send().await.expect("request");
        assert_eq!(
            station.status(),
            StatusCode::UNAUTHORIZED,
            "station {method} {path}"
        );
        let expert = request(Some(&expert)).send().await.expect("request");
        assert_eq!(
            expert.status(),
            StatusCode::FORBIDDEN,
            "expert {method} {path}"
        );
    }
}

#[tokio::test]
async fn a_regulator_sees_and_deletes_only_their_own_subscriptions() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let (alice, bob) = (world.regulator("alice"), world.regulator("bob"));
    let mine = app
        .subscribe(&world, &alice, json!({"channel": {"type": "stream"}}))
        .await;
    let theirs = app
        .subscribe(
            &world,
            &bob,
            json!({"channel": {"type": "webhook", "url": "http://127.0.0.1:9/hook", "secret": "0123456789abcdef"}}),
        )
        .await;
    assert_eq!(
        theirs["channel"]["secret"], "********",
        "a secret is never shown again"
    );

    let listed = app.json(&world, "/v1/subscriptions", &alice).await;
    let ids: Vec<&Value> = listed
        .as_array()
        .expect("list")
        .iter()
        .map(|s| &s["id"])
        .collect();
    assert_eq!(ids, [&mine["id"]]);

    let theirs_path = format!("/v1/subscriptions/{}", theirs["id"].as_str().expect("id"));
    let delete = |path: String, token: String| {
        let request = world.client.delete(format!("{}{path}", app.address));
        async move {
            request
                .bearer_auth(token)
                .send()
                .await
                .expect("delete")
                .status()
        }
    };
    assert_eq!(
        delete(theirs_path.clone(), alice.clone()).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        delete(theirs_path.clone(), bob.clone()).await,
        StatusCode::NO_CONTENT
    );
    assert_eq!(delete(theirs_path, bob).await, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn filters_are_validated_field_by_field() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let body = json!({
        "channel": {"type": "email", "address": "not-an-address"},
        "filters": {
            "districts": ["310115", "999999"],
            "categories": ["Children Products!"],
            "min_level": "extreme",
            "event_types": ["important_alert", "gossip"],
        },
    });
    let response = app
        .post(&world, "/v1/subscriptions", &world.regulator("alice"), body)
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = response.json().await.expect("json");
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        [
            "channel.address",
            "filters.categories[0]",
            "filters.districts[1]",
            "filters.event_types[1]",
            "filters.min_level",
        ]
    );
    let unknown = app
        .post(
            &world,
            "/v1/subscriptions",
            &world.regulator("alice"),
            json!({"channel": {"type": "stream"}, "colour": "red"}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn an_admin_subscribes_a_district_bureau_which_hears_only_of_its_districts() {
    let world = World::new().await;
    let app = world.instance(settings()).await;
    let bureau = json!({"subscriber": "xuhui-bureau", "districts": ["310104"]});
    let refused = app
        .post(
            &world,
            "/v1/subscriptions",
            &world.regulator("alice"),
            json!({"channel": {"type": "stream"}, "bureau": bureau}),
        )
        .await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "only an admin subscribes a bureau"
    );
    let created = app
        .subscribe(
            &world,
            &world.admin(),
            json!({"channel": {"type": "stream"}, "bureau": bureau}),
        )
        .await;
    assert_eq!(created["owner"], "xuhui-bureau");
    assert_eq!(created["scope"], json!(["310104"]));

    let xuhui = world
        .keys
        .district_token("xuhui-bureau", &["regulator"], &["310104"]);
    let own = app.json(&world, "/v1/subscriptions", &xuhui).await;
    assert_eq!(own.as_array().map(Vec::len), Some(1));

    let mut events = app.stream(&world, &xuhui, None).await;
    world.raise(crate::helpers::alert()).await; // Pudong: not theirs
    let mut in_xuhui = crate::helpers::alert();
    in_xuhui.districts = vec!["310104".to_owned()];
    let xuhui_alert = world.raise(in_xuhui).await;
    let event = events
        .next("alert", std::time::Duration::from_secs(10))
        .await
        .expect("the Xuhui alert");
    assert_eq!(event.id, xuhui_alert.data.alert_id.to_string());
}

#[tokio::test]
async fn webhook_targets_on_private_loopback_link_local_or_metadata_addresses_are_refused() {
    let world = World::new().await;
    let app = world.instance(NotificationSettings::default()).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/hook",
        "http://10.0.0.8/hook",
        "http://192.168.1.20/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
    ] {
        let response = app
            .post(
                &world,
                "/v1/subscriptions",
                &world.regulator("alice"),
                json!({"channel": {"type": "webhook", "url": url, "secret": "0123456789abcdef"}}),
            )
            .await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{url}");
        let problem: Value = response.json().await.expect("json");
        assert_eq!(problem["errors"][0]["field"], "channel.url", "{url}");
    }
}
