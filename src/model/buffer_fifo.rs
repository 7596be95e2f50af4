//! The FIFO queues of network buffers in the channels (a subpartition's send queue, the wire,
//! the received queue), all kept in one pool of nodes shared by every channel.
//!
//! A job with hash shuffles has p² channels, each holding a buffer or two now and then. With a
//! heap-allocated queue per channel, every buffer that enters or leaves a channel touches that
//! channel's own allocation, which has gone cold since the channel last moved a buffer (about a
//! flush interval ago). Here a channel holds only the ends of its queues; the nodes come from a
//! free list that hands back the most recently freed node first, so a buffer moves through
//! memory that is still in the cache (a buffer leaving the wire frees the node that the received
//! queue takes again at once). The order of the buffers in each queue is all that is kept:
//! these queues behave exactly as `VecDeque`s would.

use crate::model::records::{NetBuffer, Payload};
use crate::time::SimTime;

/// No node: the end of a list.
const NIL: u32 = u32::MAX;

/// One queued buffer, with its delivery time (meaningful on the wire only) and the next node of
/// its queue (or of the free list).
#[derive(Debug)]
struct Node {
    at: SimTime,
    buf: NetBuffer,
    next: u32,
}

/// What a free node holds: no records, nothing to drop.
fn vacant() -> NetBuffer {
    NetBuffer {
        payload: Payload::EndOfPartition,
        bytes: 0,
        backlog: 0,
    }
}

/// The nodes of every channel's queues.
#[derive(Debug)]
pub struct BufferPool {
    nodes: Vec<Node>,
    /// Head of the free list (most recently freed first).
    free: u32,
}

impl Default for BufferPool {
    fn default() -> Self {
        BufferPool {
            nodes: Vec::new(),
            free: NIL,
        }
    }
}

impl BufferPool {
    fn alloc(&mut self, at: SimTime, buf: NetBuffer) -> u32 {
        if self.free == NIL {
            self.nodes.push(Node { at, buf, next: NIL });
            return (self.nodes.len() - 1) as u32;
        }
        let i = self.free;
        let n = &mut self.nodes[i as usize];
        self.free = n.next;
        n.at = at;
        n.buf = buf;
        n.next = NIL;
        // An output flush finishes a buffer per channel, running down the free list into nodes
        // freed long ago: fetch the next one while this buffer is queued.
        if let Some(next) = self.nodes.get(self.free as usize) {
            crate::sim::prefetch(next);
        }
        i
    }

    /// Frees node `i`, returning what it held and the node after it.
    fn release(&mut self, i: u32) -> (SimTime, NetBuffer, u32) {
        let n = &mut self.nodes[i as usize];
        let buf = std::mem::replace(&mut n.buf, vacant());
        let next = std::mem::replace(&mut n.next, self.free);
        self.free = i;
        (n.at, buf, next)
    }

    fn node(&self, i: u32) -> &Node {
        &self.nodes[i as usize]
    }
}

/// One queue of buffers: the ends of a list in a [`BufferPool`]. Every method takes the pool the
/// queue lives in.
#[derive(Clone, Copy, Debug)]
pub struct BufferFifo {
    head: u32,
    tail: u32,
}

impl Default for BufferFifo {
    fn default() -> Self {
        BufferFifo { head: NIL, tail: NIL }
    }
}

impl BufferFifo {
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.head == NIL
    }

    #[inline]
    pub fn push_back(&mut self, pool: &mut BufferPool, buf: NetBuffer) {
        self.push_back_at(pool, SimTime::ZERO, buf);
    }

    /// Appends a buffer that is due at `at` (the wire's delivery time).
    #[inline]
    pub fn push_back_at(&mut self, pool: &mut BufferPool, at: SimTime, buf: NetBuffer) {
        let i = pool.alloc(at, buf);
        if self.tail == NIL {
            self.head = i;
        } else {
            pool.nodes[self.tail as usize].next = i;
        }
        self.tail = i;
    }

    pub fn push_front(&mut self, pool: &mut BufferPool, buf: NetBuffer) {
        let i = pool.alloc(SimTime::ZERO, buf);
        pool.nodes[i as usize].next = self.head;
        if self.head == NIL {
            self.tail = i;
        }
        self.head = i;
    }

    #[inline]
    pub fn pop_front(&mut self, pool: &mut BufferPool) -> Option<NetBuffer> {
        self.pop_front_at(pool).map(|(_, b)| b)
    }

    /// Removes the head buffer, with the time it was due.
    #[inline]
    pub fn pop_front_at(&mut self, pool: &mut BufferPool) -> Option<(SimTime, NetBuffer)> {
        if self.head == NIL {
            return None;
        }
        let (at, buf, next) = pool.release(self.head);
        self.head = next;
        if next == NIL {
            self.tail = NIL;
        }
        Some((at, buf))
    }

    #[inline]
    pub fn front<'a>(&self, pool: &'a BufferPool) -> Option<&'a NetBuffer> {
        (self.head != NIL).then(|| &pool.node(self.head).buf)
    }

    /// Starts fetching the head buffer's node into the cache (speed only).
    #[inline]
    pub fn prefetch_head(&self, pool: &BufferPool) {
        if let Some(n) = pool.nodes.get(self.head as usize) {
            crate::sim::prefetch(n);
        }
    }

    /// When the head buffer is due.
    #[inline]
    pub fn front_at(&self, pool: &BufferPool) -> Option<SimTime> {
        (self.head != NIL).then(|| pool.node(self.head).at)
    }

    #[inline]
    pub fn back<'a>(&self, pool: &'a BufferPool) -> Option<&'a NetBuffer> {
        (self.tail != NIL).then(|| &pool.node(self.tail).buf)
    }

    /// The buffers, head first.
    pub fn iter<'a>(&self, pool: &'a BufferPool) -> impl Iterator<Item = &'a NetBuffer> + Clone + 'a {
        self.iter_at(pool).map(|(_, b)| b)
    }

    /// The buffers with the times they are due, head first.
    pub fn iter_at<'a>(&self, pool: &'a BufferPool) -> impl Iterator<Item = (SimTime, &'a NetBuffer)> + Clone + 'a {
        let mut i = self.head;
        std::iter::from_fn(move || {
            if i == NIL {
                return None;
            }
            let n = pool.node(i);
            i = n.next;
            Some((n.at, &n.buf))
        })
    }

    pub fn len(&self, pool: &BufferPool) -> usize {
        self.iter(pool).count()
    }

    /// Inserts a buffer so that it becomes the one at `pos` (at most the length).
    pub fn insert(&mut self, pool: &mut BufferPool, pos: usize, buf: NetBuffer) {
        if pos == 0 {
            self.push_front(pool, buf);
            return;
        }
        let before = self.nth_node(pool, pos - 1).expect("insert within the queue");
        let i = pool.alloc(SimTime::ZERO, buf);
        let after = std::mem::replace(&mut pool.nodes[before as usize].next, i);
        pool.nodes[i as usize].next = after;
        if after == NIL {
            self.tail = i;
        }
    }

    /// Removes the buffer at `pos`, if there is one.
    pub fn remove(&mut self, pool: &mut BufferPool, pos: usize) -> Option<NetBuffer> {
        if pos == 0 {
            return self.pop_front(pool);
        }
        let before = self.nth_node(pool, pos - 1)?;
        let i = pool.node(before).next;
        if i == NIL {
            return None;
        }
        let (_, buf, next) = pool.release(i);
        pool.nodes[before as usize].next = next;
        if next == NIL {
            self.tail = before;
        }
        Some(buf)
    }

    /// Empties the queue, handing each buffer to `each`, head first.
    pub fn drain(&mut self, pool: &mut BufferPool, mut each: impl FnMut(NetBuffer)) {
        while let Some(b) = self.pop_front(pool) {
            each(b);
        }
    }

    fn nth_node(&self, pool: &BufferPool, n: usize) -> Option<u32> {
        let mut i = self.head;
        for _ in 0..n {
            if i == NIL {
                return None;
            }
            i = pool.node(i).next;
        }
        (i != NIL).then_some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    fn event(bytes: u32) -> NetBuffer {
        NetBuffer {
            payload: Payload::EndOfData,
            bytes,
            backlog: 0,
        }
    }

    fn sizes(q: &BufferFifo, pool: &BufferPool) -> Vec<u32> {
        q.iter(pool).map(|b| b.bytes).collect()
    }

    /// Two queues sharing a pool behave as two `VecDeque`s under every operation, mixed.
    #[test]
    fn queues_in_one_pool_behave_as_vecdeques() {
        let mut pool = BufferPool::default();
        let mut qs = [BufferFifo::default(), BufferFifo::default()];
        let mut model: [VecDeque<u32>; 2] = Default::default();
        let mut x = 12345u64;
        for step in 0..5000u32 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let k = ((x >> 33) % 2) as usize;
            let len = model[k].len();
            let pos = ((x >> 40) as usize) % (len + 1);
            match (x >> 60) % 6 {
                0 | 1 => {
                    qs[k].push_back(&mut pool, event(step));
                    model[k].push_back(step);
                }
                2 => assert_eq!(qs[k].pop_front(&mut pool).map(|b| b.bytes), model[k].pop_front()),
                3 => {
                    qs[k].insert(&mut pool, pos, event(step));
                    model[k].insert(pos, step);
                }
                4 => assert_eq!(qs[k].remove(&mut pool, pos).map(|b| b.bytes), model[k].remove(pos)),
                _ => {
                    qs[k].push_front(&mut pool, event(step));
                    model[k].push_front(step);
                }
            }
            for k in 0..2 {
                assert_eq!(sizes(&qs[k], &pool), Vec::from(model[k].clone()));
                assert_eq!(qs[k].is_empty(), model[k].is_empty());
                assert_eq!(qs[k].front(&pool).map(|b| b.bytes), model[k].front().copied());
                assert_eq!(qs[k].back(&pool).map(|b| b.bytes), model[k].back().copied());
            }
        }
    }

    #[test]
    fn the_wire_keeps_each_buffer_s_time_and_nodes_are_reused() {
        let mut pool = BufferPool::default();
        let mut q = BufferFifo::default();
        q.push_back_at(&mut pool, SimTime(5), event(1));
        q.push_back_at(&mut pool, SimTime(9), event(2));
        assert_eq!(q.front_at(&pool), Some(SimTime(5)));
        assert_eq!(
            q.pop_front_at(&mut pool).map(|(t, b)| (t, b.bytes)),
            Some((SimTime(5), 1))
        );
        q.push_back_at(&mut pool, SimTime(11), event(3));
        assert_eq!(pool.nodes.len(), 2, "the freed node is taken again");
        let mut drained = Vec::new();
        q.drain(&mut pool, |b| drained.push(b.bytes));
        assert_eq!(drained, [2, 3]);
        assert!(q.is_empty());
    }
}
