//! Listing commands (the Listing page, Fix buttons, wizard steps 4, 8 and 12): each forwards to
//! `la_app::listing::page`.

use la_app::listing::page::{self, Applied, ListingDoc, PlanView, ReleaseView, Tracked};
use la_app::App;
use la_core::model::EnvKind;
use la_core::store::ChangeSetRecord;
use la_core::AppError;
use la_listing::fix::Fix;
use la_listing::lint::Finding;
use la_listing::Listing;
use tauri::State;

type Res<T> = Result<T, AppError>;

#[tauri::command]
#[specta::specta]
pub async fn listing_load(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
) -> Res<ListingDoc> {
    page::load(&app, &workspace_id, env).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_save(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
    listing: Listing,
) -> Res<ListingDoc> {
    page::save(&app, &workspace_id, env, &listing).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_lint(listing: Listing) -> Res<Vec<Finding>> {
    Ok(page::lint(&listing).await)
}

#[tauri::command]
#[specta::specta]
pub async fn listing_plan(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
    listing: Listing,
    validate: bool,
) -> Res<PlanView> {
    page::plan(&app, &workspace_id, env, &listing, validate).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_apply(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
    listing: Listing,
    kind: String,
    confirmation: String,
) -> Res<Applied> {
    page::apply(&app, &workspace_id, env, &listing, &kind, &confirmation).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_cancel(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
    change_set_id: String,
) -> Res<ChangeSetRecord> {
    page::cancel(&app, &workspace_id, env, &change_set_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_history(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
) -> Res<Vec<ChangeSetRecord>> {
    page::history(&app, &workspace_id, env).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_refresh(app: State<'_, App>, workspace_id: String) -> Res<Vec<Tracked>> {
    page::refresh_open(&app, &workspace_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_fixable() -> Res<Vec<String>> {
    Ok(page::fixable().await)
}

#[tauri::command]
#[specta::specta]
pub async fn listing_fix(
    app: State<'_, App>,
    workspace_id: String,
    env: EnvKind,
    check_id: String,
) -> Res<Option<Fix>> {
    page::fix(&app, &workspace_id, env, &check_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_release(app: State<'_, App>, workspace_id: String) -> Res<ReleaseView> {
    page::release_view(&app, &workspace_id).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_request_public(
    app: State<'_, App>,
    workspace_id: String,
    confirmation: String,
) -> Res<ReleaseView> {
    page::request_public(&app, &workspace_id, &confirmation).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_export_file(
    app: State<'_, App>,
    workspace_id: String,
    listing: Listing,
    path: String,
) -> Res<()> {
    let path = app.picked().take(&path)?;
    page::export_file(&app, &workspace_id, &listing, &path).await
}

#[tauri::command]
#[specta::specta]
pub async fn listing_import_file(app: State<'_, App>, path: String) -> Res<Listing> {
    let path = app.picked().take(&path)?;
    page::import_file(&path).await
}
