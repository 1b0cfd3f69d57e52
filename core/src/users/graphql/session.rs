//! Login, tokens and the cookie session of the web front end (D31).

use super::*;
use crate::graphql::flatten::Flattened;

#[derive(SimpleObject)]
#[graphql(name = "OpenimisObtainJSONWebToken")]
pub struct ObtainJsonWebToken {
    pub payload: GenericScalar,
    pub refresh_expires_in: i64,
    pub token: String,
    /// Ours (D2): the refresh token, for clients that do not use the cookie.
    pub refresh_token: String,
}

#[derive(SimpleObject)]
#[graphql(name = "Refresh")]
pub struct Refresh {
    pub payload: GenericScalar,
    pub refresh_expires_in: i64,
    pub token: String,
}

#[derive(SimpleObject)]
#[graphql(name = "Verify")]
pub struct Verify {
    pub payload: GenericScalar,
}

#[derive(SimpleObject)]
#[graphql(name = "Revoke")]
pub struct Revoke {
    pub revoked: i64,
}

#[derive(SimpleObject)]
pub struct CsrfTokenPayload {
    pub csrf_token: String,
}

#[derive(SimpleObject)]
pub struct DeleteCookiePayload {
    pub deleted: bool,
}

fn cookie(state: &crate::state::AppState, name: &str, value: &str, max_age: i64) -> String {
    format!(
        "{name}={value}; HttpOnly; Max-Age={max_age}; Path=/; SameSite=Lax{}",
        if state.config.auth.cookie_secure {
            "; Secure"
        } else {
            ""
        }
    )
}

fn claims_payload(c: &tokens::Claims) -> GenericScalar {
    GenericScalar(
        serde_json::json!({ "username": c.username, "exp": c.exp, "origIat": c.orig_iat }),
    )
}

/// Ends the login of the request's token: the principal's, else a token of the request whose
/// signature is good even if it expired (a stale cookie still logs out).
async fn end_current_login(ctx: &Context<'_>) -> crate::AppResult<()> {
    let st = state(ctx);
    if let Some(p) = principal(ctx)
        && let Some(jti) = &p.jti
    {
        return tokens::end_login(st, jti, p.token_exp, p.login_id.as_deref()).await;
    }
    let token = ctx
        .data_opt::<Credentials>()
        .and_then(crate::auth::request::request_token);
    if let Some((token, _)) = token
        && let Ok(claims) = tokens::decode(&st.jwt_key, &token, st.clock.now(), true)
    {
        return tokens::end_login(st, &claims.jti, claims.exp, claims.sid.as_deref()).await;
    }
    Ok(())
}

/// The users register's mutations: the token mutations here (anonymous callers may use them,
/// D2), then the user and role mutations.
/// The other resources' fields are flattened in through [`Flattened`].
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Logs in; also sets the HttpOnly `JWT` cookie of the web front end (D31).
    async fn token_auth(
        &self,
        ctx: &Context<'_>,
        username: String,
        password: String,
    ) -> Result<ObtainJsonWebToken> {
        let st = state(ctx);
        let (issued, _) = service::login(st, &username, &password).await.gql(ctx)?;
        ctx.append_http_header(
            "Set-Cookie",
            cookie(
                st,
                JWT_COOKIE,
                &issued.token,
                st.config.auth.access_token_ttl_secs,
            ),
        );
        Ok(ObtainJsonWebToken {
            payload: claims_payload(&issued.claims),
            refresh_expires_in: issued.refresh_expires_at.timestamp(),
            token: issued.token,
            refresh_token: issued.refresh_token,
        })
    }

    /// Renews the access token from a token (openIMIS), a refresh token (ours) or the cookie.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        token: Option<String>,
        refresh_token: Option<String>,
    ) -> Result<Refresh> {
        let st = state(ctx);
        let creds = ctx.data_opt::<Credentials>();
        if let Some(rt) = refresh_token.filter(|t| !t.is_empty()) {
            let grant = tokens::refresh_token_user(st, &rt).await.gql(ctx)?;
            let u = service::find_user(&st.db.conn, grant.user_id)
                .await
                .map_err(|_| AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid"))
                .gql(ctx)?;
            let (token, claims) = tokens::access_token(
                st,
                &u.username,
                &u.uuid.to_string(),
                None,
                grant.login_id.as_deref(),
            );
            return Ok(Refresh {
                payload: claims_payload(&claims),
                refresh_expires_in: grant.expires_at.timestamp(),
                token,
            });
        }
        let (token, from_cookie) = match (
            token.filter(|t| !t.is_empty()),
            creds.and_then(|c| c.jwt_cookie.clone()),
        ) {
            (Some(t), _) => (t, false),
            (None, Some(c)) if !c.is_empty() => (c, true),
            _ => {
                return Err(
                    AppError::new(ErrorKind::Unauthenticated, "auth.token_required")
                        .to_gql(&lang(ctx)),
                );
            }
        };
        // An expired token may be renewed within the refresh window of its login.
        let (claims, p) = principal_of_token(st, &token, true).await.gql(ctx)?;
        let refresh_until = claims.orig_iat + st.config.auth.refresh_token_ttl_secs;
        if refresh_until <= st.clock.now().timestamp() {
            return Err(
                AppError::new(ErrorKind::Unauthenticated, "auth.token_expired").to_gql(&lang(ctx)),
            );
        }
        let (new_token, new_claims) = tokens::access_token(
            st,
            &p.username,
            &claims.sub,
            Some(claims.orig_iat),
            claims.sid.as_deref(),
        );
        if from_cookie {
            ctx.append_http_header(
                "Set-Cookie",
                cookie(
                    st,
                    JWT_COOKIE,
                    &new_token,
                    st.config.auth.access_token_ttl_secs,
                ),
            );
        }
        Ok(Refresh {
            payload: claims_payload(&new_claims),
            refresh_expires_in: refresh_until,
            token: new_token,
        })
    }

    /// Checks a token (argument, else the `JWT` cookie): signature, expiry, logout, password change.
    async fn verify_token(&self, ctx: &Context<'_>, token: Option<String>) -> Result<Verify> {
        let st = state(ctx);
        let token = token
            .filter(|t| !t.is_empty())
            .or_else(|| {
                ctx.data_opt::<Credentials>()
                    .and_then(|c| c.jwt_cookie.clone())
            })
            .unwrap_or_default();
        let (claims, _) = principal_of_token(st, &token, false).await.gql(ctx)?;
        Ok(Verify {
            payload: claims_payload(&claims),
        })
    }

    /// Revokes a refresh token and ends its login (every token and cookie session of it);
    /// answers the revocation time.
    async fn revoke_token(
        &self,
        ctx: &Context<'_>,
        refresh_token: Option<String>,
    ) -> Result<Revoke> {
        let st = state(ctx);
        let t = refresh_token.unwrap_or_default();
        if !tokens::end_login_of_refresh_token(st, &t).await.gql(ctx)? {
            return Err(
                AppError::new(ErrorKind::Unauthenticated, "auth.token_invalid").to_gql(&lang(ctx)),
            );
        }
        Ok(Revoke {
            revoked: st.clock.now().timestamp(),
        })
    }

    /// Opens a server-side session of the current login holding a CSRF token (cookie
    /// `sessionid`) and returns the token.
    async fn get_csrf_token(&self, ctx: &Context<'_>) -> Result<CsrfTokenPayload> {
        let p = require_user(principal(ctx), Requirement::Authenticated).gql(ctx)?;
        let st = state(ctx);
        let (key, csrf) = tokens::create_session(st, p.user_id, p.login_id.as_deref())
            .await
            .gql(ctx)?;
        ctx.append_http_header(
            "Set-Cookie",
            cookie(
                st,
                SESSION_COOKIE,
                &key,
                st.config.auth.session_ttl_days * 86_400,
            ),
        );
        Ok(CsrfTokenPayload { csrf_token: csrf })
    }

    /// Logs out: ends the whole login (every access and refresh token of it and its cookie
    /// sessions) and clears the `JWT` cookie.
    async fn delete_token_cookie(&self, ctx: &Context<'_>) -> Result<DeleteCookiePayload> {
        let st = state(ctx);
        end_current_login(ctx).await.gql(ctx)?;
        ctx.append_http_header("Set-Cookie", cookie(st, JWT_COOKIE, "", 0));
        Ok(DeleteCookiePayload { deleted: true })
    }

    /// Logs out of the cookie session: ends the login as `deleteTokenCookie` does, deletes the
    /// session and clears `sessionid`.
    async fn delete_refresh_token_cookie(&self, ctx: &Context<'_>) -> Result<DeleteCookiePayload> {
        let st = state(ctx);
        end_current_login(ctx).await.gql(ctx)?;
        if let Some(key) = ctx
            .data_opt::<Credentials>()
            .and_then(|c| c.session_cookie.clone())
        {
            tokens::delete_session(st, &key).await.gql(ctx)?;
        }
        ctx.append_http_header("Set-Cookie", cookie(st, SESSION_COOKIE, "", 0));
        Ok(DeleteCookiePayload { deleted: true })
    }

    #[graphql(flatten)]
    async fn users(&self) -> Flattened<UsersMutation> {
        Flattened(UsersMutation)
    }
    #[graphql(flatten)]
    async fn roles(&self) -> Flattened<RolesMutation> {
        Flattened(RolesMutation)
    }
}
