//! Login, lockout, expired and revoked tokens, password change, cookie session and CSRF.

use imis_core::auth::request::{Credentials, authenticate};
use imis_core::auth::tokens;
use imis_tests::fixtures::{bearer, login, login_tokens};
use imis_tests::{TestApp, on_each_app};

#[tokio::test]
async fn login_success_wrong_password_and_lockout() {
    on_each_app(|app: TestApp| async move {
        let ok = login(&app, "Admin", "admin123").await;
        assert!(ok.errors.is_empty(), "{:?}", ok.errors);
        let data = ok.data.into_json().unwrap();
        let token = data["tokenAuth"]["token"].as_str().unwrap().to_string();
        assert_eq!(data["tokenAuth"]["payload"]["username"], "Admin");
        assert!(
            ok.http_headers
                .get_all("set-cookie")
                .iter()
                .any(|v| v.to_str().unwrap().starts_with("JWT="))
        );
        let p = authenticate(&app.state, &bearer(&token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p.username, "Admin");
        assert!(p.is_admin);

        let bad = login(&app, "clerk", "wrong-password").await;
        assert_eq!(bad.errors[0].message, "INCORRECT_CREDENTIALS");
        for _ in 0..4 {
            login(&app, "clerk", "wrong-password").await;
        }
        // The fifth failure locked the username: even the right password is refused.
        let locked = login(&app, "clerk", "clerk1234").await;
        assert_eq!(
            locked.errors[0]
                .extensions
                .as_ref()
                .unwrap()
                .get("code")
                .unwrap()
                .to_string(),
            "\"auth.locked_out\""
        );
        // Unknown users get the same answer as wrong passwords.
        assert_eq!(
            login(&app, "nobody", "x").await.errors[0].message,
            "INCORRECT_CREDENTIALS"
        );
    })
    .await;
}

#[tokio::test]
async fn expired_revoked_and_refreshed_tokens() {
    on_each_app(|app: TestApp| async move {
        let (token, refresh) = login_tokens(&app, "clerk", "clerk1234").await;

        // Expired: the same token checked two days later.
        let later = app.state.clock.now() + chrono::Duration::days(2);
        let e = tokens::decode(&app.state.jwt_key, &token, later, false).unwrap_err();
        assert_eq!(e.code, "auth.token_expired");
        // Tampered.
        let e = tokens::decode(
            &app.state.jwt_key,
            &format!("{token}x"),
            app.state.clock.now(),
            false,
        )
        .unwrap_err();
        assert_eq!(e.code, "auth.token_invalid");

        // Refresh with the refresh token.
        let r = app
            .ok(
                None,
                &format!(
                    r#"mutation {{ refreshToken(refreshToken: "{refresh}") {{ token payload }} }}"#
                ),
            )
            .await;
        assert!(r["refreshToken"]["token"].as_str().unwrap().len() > 20);
        // openIMIS style: refresh from the access token itself.
        let r = app
            .ok(
                None,
                &format!(r#"mutation {{ refreshToken(token: "{token}") {{ token }} }}"#),
            )
            .await;
        assert!(r["refreshToken"]["token"].is_string());
        assert_eq!(
            app.err_code(None, "mutation { refreshToken { token } }")
                .await,
            "auth.token_required"
        );
        // verifyToken
        let v = app
            .ok(
                None,
                &format!(r#"mutation {{ verifyToken(token: "{token}") {{ payload }} }}"#),
            )
            .await;
        assert_eq!(v["verifyToken"]["payload"]["username"], "clerk");
        // revokeToken ends the login: the refresh token and the login's access tokens.
        app.ok(
            None,
            &format!(r#"mutation {{ revokeToken(refreshToken: "{refresh}") {{ revoked }} }}"#),
        )
        .await;
        for q in [
            format!(r#"mutation {{ refreshToken(refreshToken: "{refresh}") {{ token }} }}"#),
            format!(r#"mutation {{ refreshToken(token: "{token}") {{ token }} }}"#),
            format!(r#"mutation {{ verifyToken(token: "{token}") {{ payload }} }}"#),
        ] {
            assert_eq!(app.err_code(None, &q).await, "auth.token_revoked");
        }
    })
    .await;
}

#[tokio::test]
async fn a_password_change_revokes_tokens_and_logout_revokes_the_access_token() {
    on_each_app(|app: TestApp| async move {
        let (token, _) = login_tokens(&app, "clerk", "clerk1234").await;
        let p = authenticate(&app.state, &bearer(&token)).await.unwrap().unwrap();
        // Token iat has one-second resolution: make the change strictly later.
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
        let r = app.exec(Some(&p), r#"mutation { changePassword(input: { oldPassword: "clerk1234", newPassword: "nouveau-secret" }) { internalId } }"#).await;
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(authenticate(&app.state, &bearer(&token)).await.unwrap_err().code, "auth.token_revoked");
        assert!(login(&app, "clerk", "clerk1234").await.errors.len() == 1);
        let (token, _) = login_tokens(&app, "clerk", "nouveau-secret").await;
        let p = authenticate(&app.state, &bearer(&token)).await.unwrap().unwrap();
        app.ok(Some(&p), "mutation { deleteTokenCookie { deleted } }").await;
        assert_eq!(authenticate(&app.state, &bearer(&token)).await.unwrap_err().code, "auth.token_revoked");
    })
    .await;
}

#[tokio::test]
async fn cookie_sessions_require_the_csrf_token() {
    on_each_app(|app: TestApp| async move {
        let (token, _) = login_tokens(&app, "Admin", "admin123").await;
        let by_cookie = |session: Option<String>, csrf: Option<&str>| Credentials {
            authorization: Some("JWT undefined".into()),
            jwt_cookie: Some(token.clone()),
            session_cookie: session,
            csrf_header: csrf.map(String::from),
        };
        let p = authenticate(&app.state, &by_cookie(None, None))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            app.err_code(Some(&p), "{ mutationLogs(first: 5) { totalCount } }")
                .await,
            "auth.csrf_no_session"
        );
        let r = app
            .exec(Some(&p), "mutation { getCsrfToken { csrfToken } }")
            .await;
        let csrf = r.data.into_json().unwrap()["getCsrfToken"]["csrfToken"]
            .as_str()
            .unwrap()
            .to_string();
        let session = r
            .http_headers
            .get_all("set-cookie")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .find(|v| v.starts_with("sessionid="))
            .unwrap();
        let key = session
            .trim_start_matches("sessionid=")
            .split(';')
            .next()
            .unwrap()
            .to_string();
        // A placeholder token, then a wrong one: each refused with the legacy message.
        for (csrf, message) in [
            ("undefined", "HTTP_X_CSRFTOKEN"),
            ("wrong", "CSRF token missing or incorrect."),
        ] {
            let p = authenticate(&app.state, &by_cookie(Some(key.clone()), Some(csrf)))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                app.exec(Some(&p), "{ mutationLogs(first: 5) { totalCount } }")
                    .await
                    .errors[0]
                    .message,
                message,
                "CSRF header {csrf}"
            );
        }
        let p = authenticate(&app.state, &by_cookie(Some(key), Some(&csrf)))
            .await
            .unwrap()
            .unwrap();
        app.ok(Some(&p), "{ mutationLogs(first: 5) { totalCount } }")
            .await;
        // Plain fields need no CSRF token.
        let p = authenticate(&app.state, &by_cookie(None, None))
            .await
            .unwrap()
            .unwrap();
        app.ok(Some(&p), "{ languages { code } }").await;
    })
    .await;
}
