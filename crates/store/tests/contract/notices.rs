//! Notices, on both databases: one per event and reader, none of a kind the reader turned
//! off, read one at a time or all at once, and nobody else's.

use farmgate_domain::notifications::NoticeKind;
use farmgate_store::notifications::{NewNotice, NoticeSetting, Subject};
use farmgate_store::testing::TestDb;

use super::buyers;

fn paid(account_id: i64, order: i64) -> NewNotice {
    NewNotice {
        account_id,
        kind: NoticeKind::OrderPaid,
        subject: Subject::Order(order),
        args: vec![("order".to_owned(), order.to_string())],
        event_key: format!("order:{order}:paid"),
    }
}

pub async fn a_notice_is_written_once_and_read_by_its_reader_only(db: &TestDb) {
    let store = &db.store;
    let people = buyers(store, 2).await;
    let (seller, other) = (people[0], people[1]);
    assert!(store.notify(&paid(seller, 12)).await.unwrap().is_some());
    assert!(
        store.notify(&paid(seller, 12)).await.unwrap().is_none(),
        "the same event once"
    );
    assert!(store.notify(&paid(seller, 13)).await.unwrap().is_some());
    assert!(
        store.notify(&paid(other, 12)).await.unwrap().is_some(),
        "another reader hears it too"
    );
    assert_eq!(store.unread_notices(seller).await.unwrap(), 2);
    let mine = store.notices(seller, None, 10).await.unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].subject, Subject::Order(13), "newest first");
    assert_eq!(mine[0].args, vec![("order".to_owned(), "13".to_owned())]);

    // Someone else's id marks nothing of theirs.
    let theirs = store.notices(other, None, 10).await.unwrap()[0].id;
    store.mark_notices_read(seller, Some(theirs)).await.unwrap();
    assert_eq!(store.unread_notices(other).await.unwrap(), 1);
    store
        .mark_notices_read(seller, Some(mine[1].id))
        .await
        .unwrap();
    assert_eq!(store.unread_notices(seller).await.unwrap(), 1);
    store.mark_notices_read(seller, None).await.unwrap();
    assert_eq!(store.unread_notices(seller).await.unwrap(), 0);

    // A kind turned off is not written; texts follow the person's choice.
    assert_eq!(
        store
            .notice_setting(seller, NoticeKind::OrderReady)
            .await
            .unwrap(),
        NoticeSetting::default_for(NoticeKind::OrderReady)
    );
    let off = NoticeSetting {
        kind: NoticeKind::OrderPaid,
        in_app: false,
        sms: false,
    };
    store.set_notice_setting(seller, off).await.unwrap();
    assert!(store.notify(&paid(seller, 14)).await.unwrap().is_none());
    let on = NoticeSetting {
        in_app: true,
        sms: true,
        ..off
    };
    store.set_notice_setting(seller, on).await.unwrap();
    assert!(
        store
            .notify(&paid(seller, 14))
            .await
            .unwrap()
            .is_some_and(|c| c.sms)
    );
    let settings = store.notice_settings(seller).await.unwrap();
    assert_eq!(settings.len(), NoticeKind::ALL.len());
    assert!(
        settings
            .iter()
            .any(|s| s.kind == NoticeKind::OrderPaid && s.sms)
    );
}
