//! The showroom's till (issue 19, decision 0031): sessions opened with the cash in the drawer
//! and closed with it counted, sales paid in cash or by a payment code, each sale made once by
//! its client-made id; a sale the showroom could no longer fill waits for the cashier to settle.

use serde::{Deserialize, Serialize};

use crate::ValidationError;
use crate::money::Fen;

/// The most cash a drawer is trusted with at opening or closing: ¥200,000.
pub const MAX_DRAWER: Fen = Fen(20_000_000);

/// The most lines one till sale carries.
pub const MAX_SALE_LINES: usize = 60;

/// Cash counted into or out of a drawer: 0 up to [`MAX_DRAWER`].
pub fn check_drawer(field: &'static str, cash: Fen) -> Result<Fen, ValidationError> {
    if (0..=MAX_DRAWER.0).contains(&cash.0) {
        Ok(cash)
    } else {
        Err(ValidationError::new(field, "drawer-cash-invalid"))
    }
}

/// How a till sale was paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TillPayment {
    /// Cash into the drawer.
    Cash,
    /// The buyer's payment code scanned (Alipay, WeChat Pay): nothing into the drawer.
    Code,
}

impl TillPayment {
    pub const ALL: [TillPayment; 2] = [TillPayment::Cash, TillPayment::Code];

    pub fn as_str(self) -> &'static str {
        match self {
            TillPayment::Cash => "cash",
            TillPayment::Code => "code",
        }
    }

    pub fn parse(text: &str) -> Result<TillPayment, ValidationError> {
        TillPayment::ALL
            .into_iter()
            .find(|p| p.as_str() == text.trim())
            .ok_or(ValidationError::new("paid_by", "till-payment-invalid"))
    }
}

/// Where a till sale stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TillSaleStatus {
    /// Its orders are placed.
    Done,
    /// The showroom could not fill it when it reached the server (an online order took the
    /// last unit meanwhile): the cashier settles it.
    ToSettle,
    /// Settled by the cashier: filled after all, or the short goods' money given back.
    Settled,
}

impl TillSaleStatus {
    pub const ALL: [TillSaleStatus; 3] = [
        TillSaleStatus::Done,
        TillSaleStatus::ToSettle,
        TillSaleStatus::Settled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            TillSaleStatus::Done => "done",
            TillSaleStatus::ToSettle => "to_settle",
            TillSaleStatus::Settled => "settled",
        }
    }

    pub fn parse(text: &str) -> Option<TillSaleStatus> {
        TillSaleStatus::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// The cash a drawer should hold: what it opened with, plus the cash sales, less the money
/// given back in cash; `None` if that does not fit.
pub fn expected_cash(opening: Fen, cash_in: &[Fen], given_back: &[Fen]) -> Option<Fen> {
    let taken = Fen::checked_sum(cash_in.iter().copied())?;
    let back = Fen::checked_sum(given_back.iter().copied())?;
    opening.checked_add(taken)?.checked_sub(back)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_drawer_holds_what_came_in_less_what_went_back() {
        assert_eq!(
            expected_cash(Fen(20_000), &[Fen(3_800), Fen(12_000)], &[Fen(3_800)]),
            Some(Fen(32_000))
        );
        assert_eq!(expected_cash(Fen(i64::MAX), &[Fen(1)], &[]), None);
        assert!(check_drawer("opening_cash", Fen(-1)).is_err());
        assert!(check_drawer("opening_cash", Fen(20_000_001)).is_err());
        assert_eq!(TillPayment::parse(" code ").unwrap(), TillPayment::Code);
        assert!(TillPayment::parse("iou").is_err());
    }
}
