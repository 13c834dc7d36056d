"""trueup: every order, edit, cancellation, refund, stock change, fulfilment and payout accounted for, to the cent."""
