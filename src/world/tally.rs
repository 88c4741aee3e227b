//! Running counts of what happened, kept as records pass (for `--quiet` summaries and
//! progress, without storing the trace).

use crate::record::Record;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub published: u64,
    pub not_published: u64,
    pub routed: u64,
    pub unroutable: u64,
    pub returned: u64,
    pub delivered: u64,
    pub redelivered: u64,
    pub auto_acked: u64,
    pub processed: u64,
    pub acked: u64,
    pub rejected: u64,
    pub requeued: u64,
    pub discarded: u64,
    pub expired: u64,
    pub dead_lettered: u64,
    pub lost: u64,
    pub client_lost: u64,
    pub restored: u64,
    pub confirms: u64,
    pub nacks: u64,
    pub channel_errors: u64,
    pub replies: u64,
}

impl Tally {
    #[inline(always)]
    pub fn count(&mut self, r: &Record) {
        match *r {
            Record::Published { .. } => self.published += 1,
            Record::NotPublished { .. } => self.not_published += 1,
            Record::Routed { .. } => self.routed += 1,
            Record::Unroutable { returned, .. } => {
                self.unroutable += 1;
                self.returned += returned as u64;
            }
            Record::Delivered { redelivered, no_ack, .. } => {
                self.delivered += 1;
                self.redelivered += redelivered as u64;
                self.auto_acked += no_ack as u64;
            }
            Record::Processed { .. } => self.processed += 1,
            Record::Acked { .. } => self.acked += 1,
            Record::Rejected { .. } => self.rejected += 1,
            Record::Requeued { .. } => self.requeued += 1,
            Record::Discarded { why, .. } => {
                self.discarded += 1;
                if why == crate::record::DiscardWhy::Expired {
                    self.expired += 1;
                }
            }
            Record::DeadLettered { .. } => self.dead_lettered += 1,
            Record::Lost { .. } => self.lost += 1,
            Record::ClientLost { .. } => self.client_lost += 1,
            Record::Restored { .. } => self.restored += 1,
            Record::Confirm { ack, .. } => {
                if ack {
                    self.confirms += 1
                } else {
                    self.nacks += 1
                }
            }
            Record::ChannelError { .. } => self.channel_errors += 1,
            Record::Reply { accepted: true, .. } => self.replies += 1,
            _ => {}
        }
    }
}
