//! The streaming server's callbacks and the HLS files FarmGate serves for a room.

use crate::support;

use support::{Db, png, spawn_with, text};

use farmgate_web::WebConfig;

#[tokio::test]
async fn only_a_rooms_key_may_push_and_viewers_never_see_it() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let listed = app.walnut_shop("嘉陵核桃", 5).await;
    let room = app.walnut_room(&listed, None, true).await;
    let key = app.db.store.room(room).await.unwrap().stream_key;
    let nginx = reqwest::Client::new();
    let push = |name: String| {
        nginx
            .post(app.url("/live-ingest/publish"))
            .form(&[
                ("app", "live".to_owned()),
                ("name", name),
                ("call", "publish".to_owned()),
            ])
            .send()
    };
    assert_eq!(push("not-a-key".into()).await.unwrap().status(), 403);
    assert_eq!(push(String::new()).await.unwrap().status(), 403);
    let playlist_url = app.url(&format!("/live/{room}/hls/index.m3u8"));
    assert_eq!(
        nginx.get(&playlist_url).send().await.unwrap().status(),
        404,
        "nothing on air"
    );
    assert_eq!(push(key.clone()).await.unwrap().status(), 204);

    // What nginx-rtmp writes: files named after the key.
    let hls = app.files.path().join("hls");
    std::fs::create_dir_all(&hls).unwrap();
    std::fs::write(
        hls.join(format!("{key}.m3u8")),
        format!(
            "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{key}-7.ts\n#EXTINF:1.0,\n{key}-8.ts\n"
        ),
    )
    .unwrap();
    std::fs::write(hls.join(format!("{key}-7.ts")), b"\x47segment").unwrap();
    let playlist = nginx.get(&playlist_url).send().await.unwrap();
    assert_eq!(
        playlist.headers()["content-type"],
        "application/vnd.apple.mpegurl"
    );
    let listed = playlist.text().await.unwrap();
    assert!(listed.contains("seg/7.ts") && listed.contains("seg/8.ts"));
    assert!(!listed.contains(&key), "the key stays secret: {listed}");
    let segment = nginx
        .get(app.url(&format!("/live/{room}/hls/seg/7.ts")))
        .send()
        .await
        .unwrap();
    assert_eq!(segment.headers()["content-type"], "video/mp2t");
    assert_eq!(&segment.bytes().await.unwrap()[..], b"\x47segment");
    for bad in ["../x.ts", "7.m3u8", "x.ts", "9.ts"] {
        let status = nginx
            .get(app.url(&format!("/live/{room}/hls/seg/{bad}")))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 404, "{bad}");
    }
    let page = text(&nginx, app.url(&format!("/live/{room}"))).await;
    assert!(page.contains("<video") && !page.contains(&key));

    // The push ends; a rotated key is refused; an ended room takes no push.
    let done = nginx
        .post(app.url("/live-ingest/done"))
        .form(&[("name", key.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 204);
    assert_eq!(nginx.get(&playlist_url).send().await.unwrap().status(), 404);
    let fresh = app.db.store.rotate_stream_key(room).await.unwrap();
    assert_eq!(
        push(key).await.unwrap().status(),
        403,
        "the old key is spent"
    );
    app.db
        .store
        .move_room(room, farmgate_domain::live::RoomEvent::End)
        .await
        .unwrap();
    assert_eq!(push(fresh).await.unwrap().status(), 403, "an ended room");
    app.stop().await;
}

#[tokio::test]
async fn the_host_gives_the_room_a_cover_that_viewers_see_before_it_starts() {
    let app = spawn_with(Db::Sqlite, WebConfig::default()).await.unwrap();
    let listed = app.walnut_shop("嘉陵核桃", 5).await;
    let room = app.walnut_room(&listed, None, false).await;
    let host = app
        .logged_in_with("fujia-walnuts", "walnuts-of-huixian")
        .await;
    let console = text(&host, app.url(&format!("/host/rooms/{room}"))).await;
    let csrf = support::csrf_of(&console);
    let send = |bytes: Vec<u8>, name: &'static str| {
        let form = reqwest::multipart::Form::new().part(
            "photo",
            reqwest::multipart::Part::bytes(bytes).file_name(name),
        );
        host.post(app.url(&format!("/host/rooms/{room}/photos?_csrf={csrf}")))
            .multipart(form)
            .send()
    };
    let refused = send(b"not a picture".to_vec(), "cover.jpg").await.unwrap();
    assert_eq!(refused.status(), 422, "checked by content, not by name");
    let stored = send(png(640, 360), "cover.png").await.unwrap();
    assert_eq!(stored.status(), 303);
    let page = reqwest::Client::new()
        .get(app.url(&format!("/live/{room}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let src = page
        .split("class=\"room-cover\" src=\"")
        .nth(1)
        .expect("the cover is on the room page")
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let picture = reqwest::get(app.url(&src)).await.unwrap();
    assert_eq!(picture.headers()["content-type"], "image/jpeg");
    let stranger = app.logged_in("buyer").await;
    let theirs = support::csrf_of(&text(&stranger, app.url("/cart")).await);
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(png(64, 64)).file_name("x.png"),
    );
    let other = stranger
        .post(app.url(&format!("/host/rooms/{room}/photos?_csrf={theirs}")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 404, "only the host changes the cover");
    app.stop().await;
}
