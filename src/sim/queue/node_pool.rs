//! The nodes of every pending instant's FIFO list of events, in one pool. A list is known by its
//! first node (to drain it) and its last (to append to it); each node names the next.
//!
//! A list per instant, each a heap allocation of its own, would keep the capacity of the largest
//! burst it ever held after the burst has run, and every slot that once held a burst would keep
//! its own (on the reference job at p = 512 that was about 100 MB of peak RSS more than the event
//! heap it replaced). With one pool the nodes in use are the pending events, no more. A free list
//! hands back the most recently freed node first: an event handled frees its node, and the event
//! it schedules takes that node at once, while it is still in the cache.

/// No node: the end of a list.
pub(super) const NIL: u32 = u32::MAX;

struct Node<E> {
    /// `None` while the node is free.
    event: Option<E>,
    /// The next node of the list (or of the free list).
    next: u32,
}

pub(super) struct NodePool<E> {
    nodes: Vec<Node<E>>,
    /// Head of the free list (most recently freed first).
    free: u32,
}

impl<E> NodePool<E> {
    pub(super) fn new() -> Self {
        NodePool {
            nodes: Vec::new(),
            free: NIL,
        }
    }

    /// A node holding `event`, the last of its list.
    pub(super) fn alloc(&mut self, event: E) -> u32 {
        if self.free == NIL {
            let i = u32::try_from(self.nodes.len()).expect("fewer than 2^32 pending events");
            assert!(i != NIL, "fewer than 2^32 - 1 pending events");
            self.nodes.push(Node {
                event: Some(event),
                next: NIL,
            });
            return i;
        }
        let i = self.free;
        let n = &mut self.nodes[i as usize];
        self.free = n.next;
        n.event = Some(event);
        n.next = NIL;
        // A burst of events (an output flush schedules a delivery per channel) runs down the
        // free list into nodes freed long ago: fetch the next one while this event is filed.
        if let Some(next) = self.nodes.get(self.free as usize) {
            crate::sim::prefetch(next);
        }
        i
    }

    /// Appends `event` after `tail`, the last node of its list; returns the new last node.
    pub(super) fn push_after(&mut self, tail: u32, event: E) -> u32 {
        let i = self.alloc(event);
        self.nodes[tail as usize].next = i;
        i
    }

    /// The event node `i` holds (`None` if it is free).
    #[inline]
    pub(super) fn event(&self, i: u32) -> Option<&E> {
        self.nodes[i as usize].event.as_ref()
    }

    /// Frees node `i`, returning its event and the node after it.
    pub(super) fn release(&mut self, i: u32) -> (E, u32) {
        let n = &mut self.nodes[i as usize];
        let event = n.event.take().expect("a node in a list holds an event");
        let next = std::mem::replace(&mut n.next, self.free);
        self.free = i;
        (event, next)
    }
}
