"""trueup and everything it talks to on one machine, for the demo, the end-to-end tests and the benchmarks: the
embedded Tryton (a template database built once and served by `trytond`), its demo business and taxes, the
catalogue seeded from the sandbox, and the processes of the stack. Nothing trueup runs in production imports
it: a deployment talks to its own ERP through adapters/tryton.
"""
