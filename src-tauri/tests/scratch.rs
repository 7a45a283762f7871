use fantoccini::ClientBuilder;
use serde_json::json;
#[tokio::test]
#[ignore]
async fn scratch() {
    let port = std::env::var("WD_PORT").unwrap();
    let mut caps = serde_json::Map::new();
    caps.insert("webkitgtk:browserOptions".into(), json!({"binary": std::env::var("LIAISON_APP").unwrap(), "args": []}));
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new()).capabilities(caps).connect(&format!("http://127.0.0.1:{port}")).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let r = c.execute_async("const done = arguments[arguments.length-1]; try { const t = window.__TAURI_INTERNALS__; done({has: !!t, keys: t ? Object.keys(t) : []}); } catch(e) { done(String(e)); }", vec![]).await;
    println!("R1 {r:?}");
    let r = c.execute_async("const done = arguments[arguments.length-1]; setTimeout(() => done('timeout'), 4000); window.__TAURI_INTERNALS__.invoke('vocabulary', {}).then(v => done('ok ' + Object.keys(v)), e => done('err ' + JSON.stringify(e)));", vec![]).await;
    println!("R2 {r:?}");
    let r = c.execute("return document.head.innerHTML + ' CSP:' + [...document.querySelectorAll('meta')].map(m => m.outerHTML).join(' ');", vec![]).await;
    println!("R3 {r:?}");
    c.close().await.unwrap();
}
