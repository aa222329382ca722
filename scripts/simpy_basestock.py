"""The base-stock model of BenchmarkBaseStockArrivals, in SimPy 2.3.1
(Debian python3-simpy), as the peer for `make bench`: Poisson arrivals of
rate LAMBDA each take one server from a buffer of S (waiting FIFO when it
is empty), order a replacement on arrival (demand-aware) whose startup is
exponential with mean LEAD, and hold the server for an exponential session.
Prints simulated arrivals per wall-second."""
import random
import sys
import time

from SimPy.Simulation import Level, Process, activate, hold, initialize, now, simulate, get, put

LAMBDA, S, LEAD, SESSION = 200.0, 2000, 8.0, 60.0


class Startup(Process):
    def run(self, ready):
        yield hold, self, random.expovariate(1 / LEAD)
        yield put, self, ready, 1


class Player(Process):
    def run(self, ready, stats):
        arrived = now()
        s = Startup()
        activate(s, s.run(ready))
        yield get, self, ready, 1
        stats["wait"] += now() - arrived
        yield hold, self, random.expovariate(1 / SESSION)


class Arrivals(Process):
    def run(self, ready, stats):
        while True:
            yield hold, self, random.expovariate(LAMBDA)
            stats["arrivals"] += 1
            p = Player()
            activate(p, p.run(ready, stats))


def main():
    horizon = float(sys.argv[1]) if len(sys.argv) > 1 else 600.0
    random.seed(1)
    initialize()
    ready = Level(initialBuffered=S, capacity="unbounded")
    stats = {"arrivals": 0, "wait": 0.0}
    a = Arrivals()
    activate(a, a.run(ready, stats))
    start = time.perf_counter()
    simulate(until=horizon)
    wall = time.perf_counter() - start
    print(f"simpy_arrivals_per_s {stats['arrivals'] / wall:.0f}")


if __name__ == "__main__":
    main()
