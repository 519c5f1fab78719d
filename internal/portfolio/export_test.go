package portfolio

// Execute exposes the fill transaction to the tests of concurrent fills.
var Execute = (*Service).execute
