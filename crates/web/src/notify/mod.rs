//! Telling people what happened to their things. A handler that changed something calls
//! [`tell`] (one person) or [`tell_shop`] (every member of a shop) after the change: the notice
//! is written once per event and reader, in the inbox unless the reader turned its kind off,
//! and sent by text message to those who chose that for its kind (through the `Messenger`;
//! the development outbox logs it). Like the audit log it never undoes the change it reports:
//! a notice that cannot be written is logged loudly.
//!
//! The inbox (`/notices`) writes each notice out in the reader's language when it is read,
//! with a link to its thing; the header shows how many are unread; `/notices/settings` holds
//! each person's choices per kind.

pub mod pages;

use farmgate_domain::accounts::PhoneNumber;
use farmgate_domain::notifications::NoticeKind;
use farmgate_store::notifications::{NewNotice, Notice, Subject};

use crate::AppState;
use crate::i18n::Tr;

/// A notice to send: its kind, its thing, the words its message needs, and what makes it one
/// event (the same event is told once to each reader).
pub struct Tell {
    pub kind: NoticeKind,
    pub subject: Subject,
    pub args: Vec<(String, String)>,
    pub event: String,
}

/// Tells `account_id`: the notice joins the queue that the writer drains (`Writer`), so
/// telling never waits for, nor competes with, the change it reports.
pub async fn tell(state: &AppState, account_id: i64, tell: &Tell) {
    let new = NewNotice {
        account_id,
        kind: tell.kind,
        subject: tell.subject,
        args: tell.args.clone(),
        event_key: tell.event.clone(),
    };
    state.notices.push(new);
}

/// Writes queued notices: whatever is waiting, in one transaction (one disk flush for a whole
/// burst of orders, instead of one each that the order intake would queue behind), then the
/// text messages their readers chose.
#[derive(Clone)]
pub struct Writer(tokio::sync::mpsc::UnboundedSender<NewNotice>);

/// The most notices one transaction writes.
const BATCH: usize = 500;

impl Writer {
    pub fn start(
        store: farmgate_store::Store,
        messenger: Option<std::sync::Arc<dyn crate::messaging::Messenger>>,
    ) -> Writer {
        let (sender, mut queue) = tokio::sync::mpsc::unbounded_channel::<NewNotice>();
        tokio::spawn(async move {
            while let Some(first) = queue.recv().await {
                let mut batch = vec![first];
                while batch.len() < BATCH {
                    match queue.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                match store.notify_many(&batch).await {
                    Ok(choices) => {
                        for (new, choice) in batch.iter().zip(choices) {
                            if choice.is_some_and(|c| c.sms) {
                                text_message(&store, messenger.as_deref(), new).await;
                            }
                        }
                    }
                    Err(err) => {
                        tracing::error!(error = %err, notices = batch.len(), "notices could not be written")
                    }
                }
            }
        });
        Writer(sender)
    }

    fn push(&self, new: NewNotice) {
        if self.0.send(new).is_err() {
            tracing::error!("the notice writer has stopped");
        }
    }
}

/// Tells every member of `shop_id`.
pub async fn tell_shop(state: &AppState, shop_id: i64, notice: &Tell) {
    match state.store.shop_member_ids(shop_id).await {
        Ok(members) => {
            for member in members {
                tell(state, member, notice).await;
            }
        }
        Err(err) => tracing::error!(error = %err, shop = shop_id, "the shop's members are unknown"),
    }
}

/// Texts the shops' members who chose texts for new orders about `checkout`'s orders (the
/// intake wrote their notices with the orders), after the buyer has the answer.
pub fn text_new_orders(state: &AppState, checkout: &farmgate_store::orders::Checkout) {
    if checkout.shop_texts.is_empty() {
        return;
    }
    let texts: Vec<NewNotice> = checkout
        .shop_texts
        .iter()
        .filter_map(|text| {
            let order = checkout.orders.iter().find(|o| o.id == text.order_id)?;
            Some(farmgate_store::notifications::order_placed(
                order,
                text.account_id,
            ))
        })
        .collect();
    let store = state.store.clone();
    let messenger = state.messenger.clone();
    tokio::spawn(async move {
        for new in &texts {
            text_message(&store, messenger.as_deref(), new).await;
        }
    });
}

/// The text message of a notice just written to a reader who chose texts for its kind.
async fn text_message(
    store: &farmgate_store::Store,
    messenger: Option<&dyn crate::messaging::Messenger>,
    new: &NewNotice,
) {
    let Some(messenger) = messenger else {
        return;
    };
    let Ok(Some(account)) = store.account_by_id(new.account_id).await else {
        return;
    };
    let Some(phone) = account
        .phone
        .as_deref()
        .and_then(|p| PhoneNumber::parse(p).ok())
    else {
        return;
    };
    let t = Tr(account.language);
    let notice = Notice {
        id: 0,
        kind: new.kind,
        subject: new.subject,
        args: new.args.clone(),
        created_at: chrono::Utc::now(),
        read: false,
    };
    let text = format!("{}: {}", t.get("site-name"), message(&t, &notice));
    if let Err(err) = messenger.send(&phone, &text).await {
        tracing::warn!(error = %err, "a notice's text message could not be sent");
    }
}

/// The message arguments a notice may carry.
const ARGS: [&str; 9] = [
    "order", "tracking", "station", "outcome", "shop", "course", "when", "total", "amount",
];

/// A notice written out for its reader. An argument named `name@lang` (a course's title in
/// each language) is used only for a reader of that language.
pub fn message(t: &Tr, notice: &Notice) -> String {
    let mut args: Vec<(&'static str, crate::i18n::FluentArg)> = Vec::new();
    for (name, value) in &notice.args {
        let (name, language) = match name.split_once('@') {
            Some((name, language)) => (name, Some(language)),
            None => (name.as_str(), None),
        };
        if language.is_some_and(|l| l != t.lang().tag()) {
            continue;
        }
        if let Some(known) = ARGS.into_iter().find(|a| *a == name) {
            args.push((known, value.clone().into()));
        }
    }
    t.args_vec(&format!("notice-{}", notice.kind.as_str()), args)
}

/// Where a notice's thing is.
pub fn link(subject: Subject) -> String {
    match subject {
        Subject::Order(id) => format!("/orders/{id}"),
        Subject::ShopApplication(_) => "/shops/apply".to_owned(),
        Subject::TrainingSession(_) => "/training/me".to_owned(),
    }
}

/// The inbox and the choices per kind.
pub fn routes() -> axum::Router<AppState> {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/notices", get(pages::inbox))
        .route("/notices/read", post(pages::read_all))
        .route(
            "/notices/settings",
            get(pages::settings).post(pages::save_settings),
        )
        .route("/notices/{id}", get(pages::open))
}
