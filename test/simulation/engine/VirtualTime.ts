import type * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import type * as Fiber from "effect/Fiber"
import * as FiberRef from "effect/FiberRef"
import * as Runtime from "effect/Runtime"
import type * as Scheduler from "effect/Scheduler"

/**
 * Virtual time for the conversation simulator: hours of queue backoff, rate-limit windows and retries run in
 * milliseconds, and the same program always interleaves the same way.
 *
 * Why not `TestClock`: every `TestClock.adjust` waits for all fibers to settle through real `setTimeout(0)`
 * yields, about 4 ms per sleep it wakes (measured: 1,000 sleeps took 3.8 s), and a simulated conversation
 * sleeps hundreds of times. Here the program runs on a scheduler we drain ourselves: when no fiber has
 * anything left to do, nothing can happen until the next timer, so the clock jumps straight to it.
 * The program must be pure Effect (no promises, no real timers): that is checked, a wait on real I/O shows up
 * as a deadlock error naming the virtual time.
 */

const ClockTypeId: Clock.ClockTypeId = Symbol.for("effect/Clock") as Clock.ClockTypeId

interface Timer {
  readonly at: number
  readonly seq: number
  readonly fire: () => void
  cancelled: boolean
}

/** Runs the tasks Effect's fibers hand it, in the order they arrive, only when told to. */
class DrainedScheduler implements Scheduler.Scheduler {
  private tasks: Array<Scheduler.Task> = []
  shouldYield(fiber: Fiber.RuntimeFiber<unknown, unknown>): number | false {
    return fiber.currentOpCount > 2048 ? 0 : false
  }
  scheduleTask(task: Scheduler.Task): void {
    this.tasks.push(task)
  }
  /** Runs tasks (and the tasks they schedule) until none is left; returns how many ran. */
  drain(): number {
    let ran = 0
    while (this.tasks.length > 0) {
      const batch = this.tasks
      this.tasks = []
      for (const task of batch) {
        task()
        ran++
      }
    }
    return ran
  }
}

/** A clock whose time moves only when the driver says so; sleeps are timers in a min-heap. */
export class VirtualClock implements Clock.Clock {
  readonly [ClockTypeId]: Clock.ClockTypeId = ClockTypeId
  private heap: Array<Timer> = []
  private seq = 0
  constructor(private now: number) {}

  unsafeCurrentTimeMillis(): number {
    return this.now
  }
  unsafeCurrentTimeNanos(): bigint {
    return BigInt(Math.round(this.now * 1_000_000))
  }
  readonly currentTimeMillis: Effect.Effect<number> = Effect.sync(() => this.now)
  readonly currentTimeNanos: Effect.Effect<bigint> = Effect.sync(() => this.unsafeCurrentTimeNanos())

  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.async<void>((resume) => {
      const millis = Duration.toMillis(duration)
      const timer: Timer = {
        at: this.now + (Number.isFinite(millis) ? Math.max(0, millis) : Number.MAX_SAFE_INTEGER),
        seq: this.seq++,
        fire: () => resume(Effect.void),
        cancelled: false
      }
      this.push(timer)
      return Effect.sync(() => {
        timer.cancelled = true
      })
    })
  }

  /** Moves time to the earliest pending timer and fires it; false when no timer is pending. */
  advance(limit: number): "fired" | "idle" | "limit" {
    while (this.heap.length > 0) {
      const next = this.heap[0]!
      if (next.cancelled) {
        this.pop()
        continue
      }
      if (next.at > limit) return "limit"
      this.pop()
      this.now = Math.max(this.now, next.at)
      next.fire()
      return "fired"
    }
    return "idle"
  }

  private before(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq)
  }
  private push(timer: Timer): void {
    const heap = this.heap
    heap.push(timer)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }
  private pop(): void {
    const heap = this.heap
    const last = heap.pop()!
    if (heap.length === 0) return
    heap[0] = last
    let i = 0
    while (true) {
      const l = 2 * i + 1
      const r = l + 1
      let smallest = i
      if (l < heap.length && this.before(heap[l]!, heap[smallest]!)) smallest = l
      if (r < heap.length && this.before(heap[r]!, heap[smallest]!)) smallest = r
      if (smallest === i) return
      ;[heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!]
      i = smallest
    }
  }
}

export class SimulationDeadlock extends Error {}

export interface VirtualRunOptions {
  /** Epoch ms the clock starts at. */
  readonly startMs: number
  /** Virtual ms after which the run is abandoned (the program never finished). */
  readonly horizonMs: number
}

export interface VirtualRunResult<A, E> {
  readonly exit: Exit.Exit<A, E>
  readonly virtualMs: number
  readonly tasks: number
}

/**
 * Runs `program` to completion in virtual time: drain every runnable fiber, then jump the clock to the next
 * timer, until the program's fiber is done. Deterministic for a deterministic program.
 */
export const runVirtual = <A, E>(program: Effect.Effect<A, E>, options: VirtualRunOptions): VirtualRunResult<A, E> => {
  const scheduler = new DrainedScheduler()
  const clock = new VirtualClock(options.startMs)
  const runtime = Runtime.defaultRuntime.pipe(Runtime.setFiberRef(FiberRef.currentScheduler, scheduler as Scheduler.Scheduler))
  const fiber = Runtime.runFork(runtime)(Effect.withClock(program, clock))
  const limit = options.startMs + options.horizonMs
  let tasks = 0
  while (true) {
    tasks += scheduler.drain()
    const exit = fiber.unsafePoll()
    if (exit !== null) return { exit, virtualMs: clock.unsafeCurrentTimeMillis() - options.startMs, tasks }
    const step = clock.advance(limit)
    if (step === "idle") {
      throw new SimulationDeadlock(
        `the simulated program waits on something outside virtual time (a promise or a real timer) at +${
          clock.unsafeCurrentTimeMillis() - options.startMs
        } ms`
      )
    }
    if (step === "limit") {
      throw new SimulationDeadlock(`the simulated program did not finish within ${options.horizonMs} virtual ms`)
    }
  }
}
