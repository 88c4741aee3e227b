//! The votes: one per session per question, only with the join code, only while the
//! question is open, and never more than [`MAX_VOTES`] per question. Plain data behind the
//! server's mutex; the TUI reads the tally from it.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// Votes accepted per question (a class is far smaller; a flood stops here).
pub const MAX_VOTES: usize = 1000;
/// Questions whose votes are kept (the oldest are forgotten).
pub const MAX_QUESTIONS: usize = 64;
/// Wrong join codes accepted from one address before it is refused for good.
pub const MAX_WRONG_CODES: u32 = 20;
/// Addresses whose wrong codes are counted.
const MAX_TRACKED: usize = 4096;

/// The question open for votes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ballot {
    pub id: String,
    pub choices: usize,
    /// False once the answer is revealed: votes are closed.
    pub open: bool,
}

/// Why a vote was refused.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    WrongCode,
    TooManyTries,
    NoQuestion,
    Closed,
    BadChoice,
    AlreadyVoted,
    Full,
}

impl Refusal {
    pub fn status(self) -> u16 {
        match self {
            Refusal::WrongCode => 403,
            Refusal::TooManyTries => 429,
            Refusal::NoQuestion | Refusal::Closed => 409,
            Refusal::BadChoice => 400,
            Refusal::AlreadyVoted => 409,
            Refusal::Full => 429,
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Refusal::WrongCode => "wrong-code",
            Refusal::TooManyTries => "too-many-tries",
            Refusal::NoQuestion => "no-question",
            Refusal::Closed => "closed",
            Refusal::BadChoice => "bad-choice",
            Refusal::AlreadyVoted => "already-voted",
            Refusal::Full => "full",
        }
    }
}

/// One vote as the page sends it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VoteReq<'a> {
    pub session: &'a str,
    pub question: &'a str,
    pub choice: usize,
    pub code: &'a str,
    pub from: IpAddr,
}

#[derive(Debug, Default)]
pub struct Board {
    pub code: String,
    /// The latest view, serialised.
    pub view: String,
    pub version: u64,
    pub ballot: Option<Ballot>,
    /// Question id → session → choice.
    votes: BTreeMap<String, BTreeMap<String, usize>>,
    /// The order questions were first voted on (to forget the oldest).
    order: Vec<String>,
    wrong: BTreeMap<IpAddr, u32>,
}

impl Board {
    pub fn new(code: String) -> Board {
        Board { code, ..Board::default() }
    }

    pub fn vote(&mut self, v: &VoteReq) -> Result<(), Refusal> {
        if self.wrong.get(&v.from).copied().unwrap_or(0) >= MAX_WRONG_CODES {
            return Err(Refusal::TooManyTries);
        }
        if v.code.trim() != self.code {
            if self.wrong.len() < MAX_TRACKED || self.wrong.contains_key(&v.from) {
                *self.wrong.entry(v.from).or_insert(0) += 1;
            }
            return Err(Refusal::WrongCode);
        }
        let Some(b) = &self.ballot else { return Err(Refusal::NoQuestion) };
        if b.id != v.question {
            return Err(Refusal::NoQuestion);
        }
        if !b.open {
            return Err(Refusal::Closed);
        }
        if v.choice >= b.choices {
            return Err(Refusal::BadChoice);
        }
        if !self.votes.contains_key(&b.id) {
            if self.order.len() >= MAX_QUESTIONS {
                let old = self.order.remove(0);
                self.votes.remove(&old);
            }
            self.order.push(b.id.clone());
        }
        let votes = self.votes.entry(b.id.clone()).or_default();
        if votes.contains_key(v.session) {
            return Err(Refusal::AlreadyVoted);
        }
        if votes.len() >= MAX_VOTES {
            return Err(Refusal::Full);
        }
        votes.insert(v.session.to_string(), v.choice);
        Ok(())
    }

    /// How many votes each choice of a question has.
    pub fn tally(&self, question: &str, choices: usize) -> Vec<u32> {
        let mut out = vec![0u32; choices];
        if let Some(votes) = self.votes.get(question) {
            for &c in votes.values() {
                if let Some(n) = out.get_mut(c) {
                    *n += 1;
                }
            }
        }
        out
    }

    /// The choice a session made on a question.
    pub fn voted(&self, question: &str, session: &str) -> Option<usize> {
        self.votes.get(question)?.get(session).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req<'a>(session: &'a str, choice: usize, code: &'a str) -> VoteReq<'a> {
        VoteReq { session, question: "q1", choice, code, from: IpAddr::from([127, 0, 0, 1]) }
    }

    fn board() -> Board {
        let mut b = Board::new("1234".into());
        b.ballot = Some(Ballot { id: "q1".into(), choices: 2, open: true });
        b
    }

    #[test]
    fn one_vote_per_session_with_the_code() {
        let mut b = board();
        assert_eq!(b.vote(&req("a", 1, "1234")), Ok(()));
        assert_eq!(b.vote(&req("a", 0, "1234")), Err(Refusal::AlreadyVoted));
        assert_eq!(b.vote(&req("b", 0, "9999")), Err(Refusal::WrongCode));
        assert_eq!(b.vote(&req("b", 2, "1234")), Err(Refusal::BadChoice));
        assert_eq!(b.vote(&req("b", 0, " 1234 ")), Ok(()));
        assert_eq!(b.tally("q1", 2), vec![1, 1]);
        assert_eq!(b.voted("q1", "a"), Some(1));
    }

    #[test]
    fn closed_or_other_questions_take_no_votes() {
        let mut b = board();
        let mut r = req("a", 0, "1234");
        r.question = "q2";
        assert_eq!(b.vote(&r), Err(Refusal::NoQuestion));
        b.ballot.as_mut().unwrap().open = false;
        assert_eq!(b.vote(&req("a", 0, "1234")), Err(Refusal::Closed));
        assert_eq!(b.tally("q1", 2), vec![0, 0]);
    }

    #[test]
    fn guessing_the_code_is_cut_off() {
        let mut b = board();
        for i in 0..MAX_WRONG_CODES {
            assert_eq!(b.vote(&req("x", 0, &format!("{i:04}9"))), Err(Refusal::WrongCode));
        }
        assert_eq!(b.vote(&req("x", 0, "1234")), Err(Refusal::TooManyTries));
    }

    #[test]
    fn votes_per_question_are_capped() {
        let mut b = board();
        for i in 0..MAX_VOTES {
            assert_eq!(b.vote(&req(&format!("s{i}"), 0, "1234")), Ok(()));
        }
        assert_eq!(b.vote(&req("late", 0, "1234")), Err(Refusal::Full));
        assert_eq!(b.tally("q1", 2)[0] as usize, MAX_VOTES);
    }
}
