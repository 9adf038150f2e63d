"""The rebalance planner alone, on synthetic teams: how long a plan takes and how many moves it makes.

Usage: .venv/bin/python bench/rebalance.py [--repeat 5]

Teams like the research's (4,000 cases, 40 people, 6 queues) and the issue's
(10,000 movable cases, 200 people, 30 queues): people work 3 of the queues
and speak 2 of 3 languages, a tenth are away, a third part-time; cases are
held with a heavy skew (a few people hold most) and are 15 to 120 minutes.
Prints the time to plan (median and worst of the repeats), moves, cases left
unplaceable and people still over target. Asserts nothing.
"""
import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from casework.supervision.planner import plan_rebalance  # noqa: E402
from casework.supervision.team_model import QUANTUM, Person, Work  # noqa: E402

LANGUAGES = ("en", "es", "pt")


def team(people, cases, queues, seed=5):
    rng = random.Random(seed)
    staff = [Person(n, rng.choice([1050, 2100, 2100]), rng.random() > 0.1, frozenset(rng.sample(LANGUAGES, 2)),
                    frozenset(rng.sample(range(1, queues + 1), min(3, queues)))) for n in range(1, people + 1)]
    work = []
    for case_id in range(1, cases + 1):
        holder = staff[min(int(rng.paretovariate(1.2)) - 1, people - 1)]
        work.append(Work(case_id, holder.id, rng.choice(sorted(holder.queue_ids)), rng.choice(LANGUAGES),
                         QUANTUM * rng.randint(1, 8)))
    return staff, work


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()
    print(f"{'team':<34} {'median s':>9} {'worst s':>8} {'moves':>6} {'unplaced':>9} {'over':>5}")
    for label, size in (("4,000 cases, 40 people, 6 queues", (40, 4000, 6)),
                        ("10,000 cases, 200 people, 30 queues", (200, 10_000, 30))):
        people, work = team(*size)
        times = []
        for _ in range(arguments.repeat):
            started = time.perf_counter()
            plan = plan_rebalance(people, work)
            times.append(time.perf_counter() - started)
        print(f"{label:<34} {statistics.median(times):>9.3f} {max(times):>8.3f} {len(plan.moves):>6} "
              f"{len(plan.unplaceable):>9} {len(plan.over_target):>5}")


if __name__ == "__main__":
    main()
