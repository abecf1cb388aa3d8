#!/usr/bin/env Rscript
# civicast -- extra ARIMA reference values from R for tests/test_arima.c and
# tests/test_unit_root.c: fixed-order Arima() fits (with and without xreg,
# with missing values), KPSS statistics / ndiffs, and the seasonal-strength
# heuristic / nsdiffs.  Run once by a developer; R is not a runtime dependency.
#
# Usage (from the project root):  Rscript bench/r_arima_fixtures.R [OUT.csv]
#   default OUT = tests/fixtures/ref_arima_extra.csv
# Output (long format, numbers with 17 significant digits, vectors ';'-separated):
#   unique_id,spec,quantity,values
#   spec "-" for test statistics; quantities: kpss_stat, ndiffs, seas_strength,
#   nsdiffs, xreg (the covariate, fit + future values), and per fit: coef_names,
#   coef, se, loglik, aicc, sigma2, mean, lo95, hi95 (h = 8); for spec "arima(full)"
#   (auto.arima(stepwise = FALSE)): model (arima.string) and loglik.
# Series are the R 'datasets' series of tests/fixtures/ref_series.csv, rebuilt as
# ts(as.numeric(x), frequency = f).  Tested with R 4.2.2, forecast 8.20, urca 1.3.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/ref_arima_extra.csv"
num <- function(v) paste(formatC(as.numeric(v), digits = 17, format = "g"), collapse = ";")
rows <- list()
add <- function(id, spec, q, v) rows[[length(rows) + 1]] <<- data.frame(unique_id = id, spec = spec,
                                                                        quantity = q, values = v)
S <- function(x, f) ts(as.numeric(x), frequency = f)
## unit-root tests
ur <- list(AirPassengers = S(AirPassengers, 12), UKgas = S(UKgas, 4), nottem = S(nottem, 12),
           USAccDeaths = S(USAccDeaths, 12), co2 = S(co2, 12), JohnsonJohnson = S(JohnsonJohnson, 4),
           Nile = S(Nile, 1), lynx = S(lynx, 1), LakeHuron = S(LakeHuron, 1), WWWusage = S(WWWusage, 1),
           austres = S(austres, 4), fdeaths = S(fdeaths, 12), ldeaths = S(ldeaths, 12),
           mdeaths = S(mdeaths, 12), uspop = S(uspop, 1), airmiles = S(airmiles, 1),
           UKDriverDeaths = S(UKDriverDeaths, 12), BJsales = S(BJsales, 1), discoveries = S(discoveries, 1),
           nhtemp = S(nhtemp, 1), presidents = S(presidents, 4))
for (id in names(ur)) {
  x <- ur[[id]]
  xx <- c(na.omit(c(x)))
  add(id, "-", "kpss_stat", num(urca::ur.kpss(xx, type = "mu", use.lag = trunc(3 * sqrt(length(xx)) / 13))@teststat))
  add(id, "-", "ndiffs", num(ndiffs(x)))
  if (frequency(x) > 1) {
    add(id, "-", "seas_strength", num(forecast:::seas.heuristic(x)))
    add(id, "-", "nsdiffs", num(nsdiffs(x)))
  }
}
## fixed-order fits
fitrow <- function(id, spec, fit, h = 8, xreg = NULL) {
  cf <- coef(fit)
  add(id, spec, "coef_names", paste(names(cf), collapse = ";"))
  add(id, spec, "coef", num(cf))
  add(id, spec, "se", num(sqrt(diag(fit$var.coef))))
  add(id, spec, "loglik", num(fit$loglik)); add(id, spec, "aicc", num(fit$aicc))
  add(id, spec, "sigma2", num(fit$sigma2))
  fc <- if (is.null(xreg)) forecast(fit, h = h, level = 95) else forecast(fit, xreg = xreg, level = 95)
  add(id, spec, "mean", num(fc$mean)); add(id, spec, "lo95", num(fc$lower[, 1])); add(id, spec, "hi95", num(fc$upper[, 1]))
}
fits <- list(
  list("AirPassengers", "ARIMA(0,1,1)(0,1,1)[12]", c(0,1,1), c(0,1,1), TRUE, FALSE),
  list("USAccDeaths", "ARIMA(0,1,1)(0,1,1)[12]", c(0,1,1), c(0,1,1), TRUE, FALSE),
  list("lynx", "ARIMA(2,0,0)", c(2,0,0), c(0,0,0), TRUE, FALSE),
  list("Nile", "ARIMA(1,0,1)", c(1,0,1), c(0,0,0), TRUE, FALSE),
  list("WWWusage", "ARIMA(1,1,1)", c(1,1,1), c(0,0,0), TRUE, FALSE),
  list("LakeHuron", "ARIMA(2,0,0) with zero mean", c(2,0,0), c(0,0,0), FALSE, FALSE),
  list("austres", "ARIMA(1,1,0) with drift", c(1,1,0), c(0,0,0), TRUE, TRUE),
  list("presidents", "ARIMA(1,0,0)", c(1,0,0), c(0,0,0), TRUE, FALSE),
  list("UKgas", "ARIMA(1,0,0)(0,1,1)[4] with drift", c(1,0,0), c(0,1,1), TRUE, TRUE))
for (f in fits) {
  x <- ur[[f[[1]]]]
  fit <- Arima(x, order = f[[3]], seasonal = f[[4]], include.mean = f[[5]], include.drift = f[[6]])
  fitrow(f[[1]], f[[2]], fit)
}
## regression with ARIMA errors: freeny.y on income.level (39 quarters: fit 35, forecast 4)
y <- S(freeny$y, 4); xr <- as.numeric(freeny$income.level)
add("freeny.y", "-", "xreg", num(xr))
fit <- Arima(window(y, end = c(9, 3)), order = c(1, 0, 0), xreg = matrix(xr[1:35], dimnames = list(NULL, "income")))
fitrow("freeny.y", "ARIMA(1,0,0)+xreg", fit, xreg = matrix(xr[36:39], dimnames = list(NULL, "income")))
fit <- Arima(window(y, end = c(9, 3)), order = c(0, 1, 1), include.drift = TRUE,
             xreg = matrix(xr[1:35], dimnames = list(NULL, "income")))
fitrow("freeny.y", "ARIMA(0,1,1) with drift+xreg", fit, xreg = matrix(xr[36:39], dimnames = list(NULL, "income")))
## the full search (stepwise = FALSE): the selected model as arima.string
for (id in c("WWWusage", "lynx", "USAccDeaths", "austres", "Nile")) {
  fit <- auto.arima(ur[[id]], stepwise = FALSE)
  add(id, "arima(full)", "model", as.character(fit))
  add(id, "arima(full)", "loglik", num(fit$loglik))
}
res <- do.call(rbind, rows)
write.csv(res, out, row.names = FALSE, quote = TRUE)
cat("wrote", nrow(res), "rows to", out, "\n")
