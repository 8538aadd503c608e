//! Tokens, registration and the signed-in account.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_domain::accounts::LoginId;
use farmgate_store::accounts::API_TOKEN_LIFETIME_DAYS;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::registration::{Registration, create_registration};
use crate::AppState;
use crate::auth::{Credentials, CurrentUser, check_credentials};
use crate::client::ClientIp;
use crate::i18n::Lang;
use crate::problem::ApiJson;
use crate::problem::{ApiError, Problem};

#[derive(Deserialize, ToSchema)]
pub struct LoginRequest {
    /// A mainland mobile number or a login name.
    #[schema(example = "tekes-centre")]
    pub login: String,
    #[schema(example = "farmgate-demo")]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <token>`.
    pub token: String,
    pub token_type: &'static str,
    /// Seconds until the token expires.
    pub expires_in: i64,
}

/// Exchanges a login and password for a bearer token.
#[utoipa::path(post, operation_id = "login", path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong login or password", body = ApiError),
        (status = 422, description = "Malformed login", body = ApiError),
        (status = 429, description = "Too many attempts", body = ApiError),
    ))]
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    ApiJson(request): ApiJson<LoginRequest>,
) -> Result<Json<TokenResponse>, Problem> {
    let login = LoginId::parse(&request.login)?;
    if request.password.is_empty() {
        return Err(Problem::from(farmgate_domain::ValidationError::new(
            "password", "required",
        )));
    }
    let account_key = login.to_string();
    state
        .limits
        .login_allowed(ip, &account_key)
        .map_err(Problem::rate_limited)?;
    let account = check_credentials(
        &state.store,
        Credentials {
            login,
            password: request.password,
        },
    )
    .await
    .map_err(|err| {
        tracing::error!(error = %err, "API login failed");
        Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "server")
    })?;
    let Some(account) = account else {
        state.limits.login_failed(ip, &account_key);
        return Err(Problem::new(StatusCode::UNAUTHORIZED, "login-failed"));
    };
    state.limits.login_succeeded(ip, &account_key);
    let token = state.store.issue_api_token(account.id).await?;
    Ok(Json(TokenResponse {
        token,
        token_type: "Bearer",
        expires_in: API_TOKEN_LIFETIME_DAYS * 86_400,
    }))
}

/// Revokes the bearer token the request carries.
#[utoipa::path(post, operation_id = "logout", path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Token revoked"), (status = 401, body = ApiError)))]
pub async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<StatusCode, Problem> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(Problem::unauthenticated())?;
    state.store.revoke_api_token(token.trim()).await?;
    let digest = farmgate_store::accounts::token_digest(token.trim());
    state
        .hot
        .forget(&state.live, farmgate_store::live::Forget::Token { digest })
        .await;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct RegisterRequest {
    #[schema(example = "梁倩娟")]
    pub display_name: String,
    /// A mainland mobile number or a login name.
    #[schema(example = "13812345678")]
    pub login: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct Accepted {
    pub status: &'static str,
}

/// Registers an account. The answer is the same whether or not the login was free, so the
/// endpoint cannot be used to find out who has an account; sign in to check.
#[utoipa::path(post, operation_id = "register", path = "/api/v1/accounts", tag = "accounts", request_body = RegisterRequest,
    responses(
        (status = 202, description = "Registration accepted", body = Accepted),
        (status = 422, description = "A field is invalid", body = ApiError),
        (status = 429, description = "Too many attempts", body = ApiError),
    ))]
pub async fn register(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Lang(language): Lang,
    ApiJson(request): ApiJson<RegisterRequest>,
) -> Result<Response, Problem> {
    let registration =
        Registration::parse(&request.display_name, &request.login, &request.password).map_err(
            |errors| {
                errors
                    .first()
                    .copied()
                    .map(Problem::from)
                    .unwrap_or(Problem::new(StatusCode::BAD_REQUEST, "bad-request"))
            },
        )?;
    state
        .limits
        .check_registration(ip)
        .map_err(Problem::rate_limited)?;
    create_registration(&state, registration, language).await?;
    Ok((StatusCode::ACCEPTED, Json(Accepted { status: "accepted" })).into_response())
}

#[derive(Serialize, ToSchema)]
pub struct GrantView {
    #[schema(example = "centre_staff")]
    pub role: String,
    #[schema(example = "tekes")]
    pub region_code: String,
    pub region_name: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub display_name: String,
    pub login_name: Option<String>,
    pub phone: Option<String>,
    pub language: String,
    pub grants: Vec<GrantView>,
}

/// The signed-in account and its grants.
#[utoipa::path(get, operation_id = "getMe", path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ApiError)))]
pub async fn me(
    State(state): State<AppState>,
    Lang(language): Lang,
    user: CurrentUser,
) -> Result<Json<Me>, Problem> {
    let mut grants = Vec::new();
    for grant in user.grants.iter() {
        let Some(region_id) = grant.region.ids().last() else {
            continue;
        };
        let region = state.store.region_by_id(region_id).await?;
        grants.push(GrantView {
            role: grant.role.as_str().to_owned(),
            region_code: region.code.as_str().to_owned(),
            region_name: region.name(language).to_owned(),
        });
    }
    let account = user.account;
    Ok(Json(Me {
        id: account.id,
        display_name: account.display_name,
        login_name: account.login_name,
        phone: account.phone,
        language: account.language.tag().to_owned(),
        grants,
    }))
}
