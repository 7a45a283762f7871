//! The scheduler the app drives: sync on start (resuming after a restart), on demand, when
//! coverage returns, and the status strip's figures along the way.

mod common;

use common::proxy::Proxy;
use common::*;
use liaison_core::store::Store;
use liaison_core::sync::{Scheduler, SchedulerOptions, SyncPhase};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Timers long enough that only an explicit trigger can start the next attempt.
fn manual_options() -> SchedulerOptions {
    SchedulerOptions {
        interval: Duration::from_secs(3_600),
        backoff_base: Duration::from_secs(3_600),
        backoff_max: Duration::from_secs(7_200),
        sync: quick_options(),
        ..Default::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_sync_waits_for_backoff_but_runs_at_once_when_coverage_returns() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let proxy = Proxy::start(server.addr).await;
    let d = Device::new("PC 4521");
    d.enroll(&proxy.url(), &server.code("PC 4521")).await;
    proxy.set(|f| f.refuse = true);
    let scheduler = Scheduler::start(&tokio::runtime::Handle::current(), d.store.clone(), manual_options());
    let first = scheduler.attempt_after(0).await;
    assert!(first.result.unwrap().is_err());
    let status = scheduler.status().unwrap();
    assert_eq!(status.stored.consecutive_failures, 1);
    assert!(status.stored.last_error.is_some());
    assert!(status.progress.is_none());

    proxy.set(|f| f.refuse = false);
    scheduler.coverage_returned();
    let second = scheduler.attempt_after(1).await;
    assert!(
        second.result.unwrap().is_ok(),
        "ran without waiting out the hour of backoff"
    );
    assert!(d.has_record(op));
    let status = scheduler.status().unwrap();
    assert!(status.stored.last_error.is_none() && status.stored.last_success_at.is_some());

    d.create(note(op, "made while the app runs"));
    assert_eq!(scheduler.status().unwrap().stored.waiting, 1);
    scheduler.trigger_now();
    let third = scheduler.attempt_after(2).await;
    assert_eq!(third.result.unwrap().unwrap().pushed, 1, "the officer's 'sync now'");
    assert_eq!(scheduler.status().unwrap().stored.waiting, 0);
    scheduler.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_left_by_a_killed_app_drains_when_the_app_starts_again() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&d, op).await;
    d.create(note(op, "written offline"));
    d.create(escalation(op));
    let path = d.path();
    drop(d.store); // the app is gone; the outbox is in the file
    let reopened = Arc::new(Mutex::new(Store::open(&path).unwrap()));
    assert_eq!(reopened.lock().unwrap().sync_status().unwrap().waiting, 2);
    let scheduler = Scheduler::start(&tokio::runtime::Handle::current(), reopened.clone(), manual_options());
    let first = scheduler.attempt_after(0).await;
    assert_eq!(first.result.unwrap().unwrap().pushed, 2);
    assert_eq!(scheduler.status().unwrap().stored.waiting, 0);
    scheduler.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_sync_reports_progress_batch_by_batch_up_to_the_total() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    sync_until_operation_known(&d, op).await;
    let records = (0..350).map(|i| note(op, &format!("n{i}"))).collect();
    d.store.lock().unwrap().import(&d.officer, records).unwrap();
    let seen = Mutex::new(Vec::new());
    let record = |phase, done, total| seen.lock().unwrap().push((phase, done, total));
    d.client(quick_options()).sync(&d.store, &record).await.unwrap();
    let pushes: Vec<(u64, u64)> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(p, _, _)| *p == SyncPhase::Pushing)
        .map(|(_, d, t)| (*d, *t))
        .collect();
    assert_eq!(pushes, vec![(0, 350), (100, 350), (200, 350), (300, 350), (350, 350)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_runs_again_on_the_timer_without_being_asked() {
    let server = TestServer::start().await;
    let op = server.operation("Op Chamberlain", &["PC 4521"]);
    let d = Device::enrolled("PC 4521", &server).await;
    let options = SchedulerOptions {
        interval: Duration::from_millis(20),
        ..manual_options()
    };
    let scheduler = Scheduler::start(&tokio::runtime::Handle::current(), d.store.clone(), options);
    assert!(scheduler.attempt_after(0).await.result.unwrap().is_ok());
    assert!(d.has_record(op));
    d.create(note(op, "picked up by the timer"));
    // No trigger: only the timer can start the attempts that push it.
    let drained = async {
        let mut n = 1;
        while d.waiting() > 0 {
            n = scheduler.attempt_after(n).await.number;
        }
    };
    // A bound so that a broken timer fails the test instead of hanging it.
    tokio::time::timeout(Duration::from_secs(60), drained)
        .await
        .expect("the timer never ran the scheduler again");
    assert_eq!(server.storage.device_chain(d.id()).unwrap().len(), 1);
    scheduler.stop().await;
}
