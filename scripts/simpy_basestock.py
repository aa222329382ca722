"""The base-stock model of BenchmarkBaseStockArrivals, in SimPy 2.3.1
(Debian python3-simpy), as the peer for `make bench`: Poisson arrivals of
rate LAMBDA each take one server from a buffer of S (waiting FIFO when it
is empty), order a replacement on arrival (demand-aware) whose startup is
exponential with mean LEAD, and hold the server for an exponential session.
Usage: simpy_basestock.py LAMBDA S [HORIZON_SECONDS].
Prints simulated arrivals per wall-second."""
import random
import sys
import time

from SimPy.Simulation import Level, Process, activate, hold, initialize, now, simulate, get, put

LEAD, SESSION = 8.0, 60.0


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
            yield hold, self, random.expovariate(self.rate)
            stats["arrivals"] += 1
            p = Player()
            activate(p, p.run(ready, stats))


def main():
    rate, size = float(sys.argv[1]), int(sys.argv[2])
    horizon = float(sys.argv[3]) if len(sys.argv) > 3 else 60000.0 / rate
    random.seed(1)
    initialize()
    ready = Level(initialBuffered=size, capacity="unbounded")
    stats = {"arrivals": 0, "wait": 0.0}
    a = Arrivals()
    a.rate = rate
    activate(a, a.run(ready, stats))
    start = time.perf_counter()
    simulate(until=horizon)
    wall = time.perf_counter() - start
    print(f"simpy_arrivals_per_s {stats['arrivals'] / wall:.0f}")


if __name__ == "__main__":
    main()
