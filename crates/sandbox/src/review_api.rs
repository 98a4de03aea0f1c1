//! `/_sandbox/review`: the control API for what a Public visibility request meets in the
//! sandbox (see `ops::catalog::review`). GET answers the settings; POST takes
//! `{"seller_profile_complete"?: bool, "review_secs"?: int}` and answers the settings after.

use crate::ops::catalog::review::{self, ReviewUpdate};
use crate::Sandbox;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde_json::{json, Value};
use std::sync::Arc;

type Answer = (StatusCode, Json<Value>);

fn answer(r: crate::AwsResult<review::ReviewSettings>) -> Answer {
    match r {
        Ok(s) => (StatusCode::OK, Json(json!(s))),
        Err(e) => (
            StatusCode::from_u16(e.status).unwrap_or(StatusCode::BAD_REQUEST),
            Json(json!({"code": e.code, "message": e.message})),
        ),
    }
}

pub(crate) async fn get(State(sb): State<Arc<Sandbox>>) -> Answer {
    answer(review::settings(&sb))
}

pub(crate) async fn set(State(sb): State<Arc<Sandbox>>, Json(u): Json<ReviewUpdate>) -> Answer {
    answer(review::configure(&sb, &u))
}
