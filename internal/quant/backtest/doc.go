// Package backtest simulates trading a model's daily scores on ASX daily
// bars: Qlib's TopK-Dropout strategy (qlib/contrib/strategy/signal_strategy.py
// TopkDropoutStrategy) and a plain top-K equal-weight baseline rebalanced
// every N days, executed the way Qlib's exchange does it
// (qlib/backtest/exchange.py) with ASX rules, and measured as Qlib's
// risk_analysis does (qlib/contrib/evaluate.py).
//
// Timing: the score dated day t is computed from data up to t's close and is
// traded on the next trading day t+1, at its open or its close (deal_price),
// never on t itself. Day 0 of the data is the base day: the account starts
// there in cash and the first trades happen on day 1 with day 0's scores.
//
// ASX reality: whole shares (trade unit 1); deal prices rounded to the ASX
// price step of their band (a no-op on real traded prices, it removes binary
// noise); an instrument with no bar on a day (a halt, or not listed yet or
// any more) can be neither bought nor sold that day and is valued at its last
// close; brokerage from the app's fee schedules (CommSec tiers, flat,
// percentage) or Qlib's open_cost/close_cost/min_cost; buys are cut to the
// cash available, so cash never goes negative. Settlement is T+2 on the ASX;
// the simulation settles at once (paper cash), which Qlib does too.
//
// Money (cash, prices, trade values, brokerage, portfolio values) is decimal;
// return statistics are float64.
//
// The package imports no web code and no database: callers load Data.
package backtest
