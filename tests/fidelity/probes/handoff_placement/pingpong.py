"""Control for wakeups.py: two threads named as a generator source's task thread and its rate
limiter's thread hand a token back and forth (each wakes the other and sleeps), for SECONDS.
usage: pingpong.py SECONDS"""
import ctypes
import sys
import threading
import time

libc = ctypes.CDLL(None)
PR_SET_NAME = 15


def player(name, mine, theirs, stop):
    libc.prctl(PR_SET_NAME, name.encode(), 0, 0, 0)
    while not stop.is_set():
        mine.wait(0.5)
        mine.clear()
        theirs.set()


def main(seconds):
    a, b, stop = threading.Event(), threading.Event(), threading.Event()
    threads = [threading.Thread(target=player, args=("Source: gen (1/", a, b, stop)),
               threading.Thread(target=player, args=("flink-rate-limi", b, a, stop))]
    for t in threads:
        t.start()
    a.set()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()


if __name__ == "__main__":
    main(float(sys.argv[1]))
