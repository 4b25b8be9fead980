//! The interpreter's own cost per state transition, with the work inside
//! the states taken away: a chain of Pass states, a chain of Task states
//! whose resource answers at once, and that Task chain saved to SQLite after
//! every step (as `coursegen generate` runs it). Criterion's throughput is
//! transitions per second.
//!
//! `cargo bench -p coursegen-local --bench interpreter`

use std::sync::Arc;

use async_trait::async_trait;
use coursegen_local::SqliteStore;
use coursegen_local::asl::{Execution, Executor, StateMachine, TaskFailure, TaskRunner};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use serde_json::{Map, Value, json};

/// States in each chain.
const STATES: usize = 100;

/// `Type` states named S0…S99, each passing `$.n` on through `Parameters`.
fn chain(kind: &str) -> Arc<StateMachine> {
    let mut states = Map::new();
    for i in 0..STATES {
        let mut state = json!({"Type": kind, "Parameters": {"n.$": "$.n", "step": i}});
        if kind == "Task" {
            state["Resource"] = json!("arn:aws:states:::lambda:invoke");
        }
        if i + 1 == STATES {
            state["End"] = json!(true);
        } else {
            state["Next"] = json!(format!("S{}", i + 1));
        }
        states.insert(format!("S{i}"), state);
    }
    let definition = json!({"StartAt": "S0", "States": states});
    Arc::new(StateMachine::parse(&definition.to_string()).expect("a valid chain"))
}

#[derive(Debug)]
struct Echo;

#[async_trait]
impl TaskRunner for Echo {
    async fn run(&self, _resource: &str, input: Value) -> Result<Value, TaskFailure> {
        Ok(input)
    }
}

fn executor(machine: &Arc<StateMachine>) -> Executor {
    let execution = Execution::new("bench".into(), "bench".into(), machine, json!({"n": 1}), 0);
    Executor::new(machine.clone(), Arc::new(Echo), execution)
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let pass = chain("Pass");
    let task = chain("Task");
    let dir = tempfile::tempdir().expect("a temp dir");
    let store = Arc::new(SqliteStore::open(&dir.path().join("bench.db")).expect("a store"));

    let mut group = c.benchmark_group("interpreter");
    group.throughput(Throughput::Elements(STATES as u64));
    group.bench_function("Pass transitions, in memory", |b| {
        b.iter_batched(
            || executor(&pass),
            |ex| rt.block_on(ex.drive()).expect("runs"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("Task transitions, in memory", |b| {
        b.iter_batched(
            || executor(&task),
            |ex| rt.block_on(ex.drive()).expect("runs"),
            BatchSize::SmallInput,
        )
    });
    group.bench_function("Task transitions, saved to SQLite each step", |b| {
        b.iter_batched(
            || executor(&task).with_store(store.clone()),
            |ex| rt.block_on(ex.drive()).expect("runs"),
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
