#!/usr/bin/env Rscript
# civicast -- R reference values for the baseline methods (models/baselines.c).
#
# Writes tests/fixtures/ref_baselines.csv: for a handful of series (R datasets,
# one with missing values, a short one, a constant one), the forecasts of
# meanf, naive, snaive and rwf(drift = TRUE) at levels 80 and 95, with sigma2
# and the fitted values.  Run once by a developer (R is not a test dependency):
#   Rscript bench/r_baselines_reference.R [OUT]     (default tests/fixtures/ref_baselines.csv)
# Produced with R 4.2.2, forecast 8.20.  Numbers with 17 significant digits,
# vectors ';'-separated, NA as NA.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/ref_baselines.csv"
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
vec <- function(x) paste(num(x), collapse = ";")
gappy <- as.numeric(USAccDeaths)[1:40]; gappy[c(3, 17, 18, 29, 40 - 12)] <- NA
series <- list(
  list(id = "AirPassengers", f = 12, y = as.numeric(AirPassengers)),
  list(id = "UKgas", f = 4, y = as.numeric(UKgas)),
  list(id = "Nile", f = 1, y = as.numeric(Nile)),
  list(id = "presidents", f = 4, y = as.numeric(presidents)),
  list(id = "gappy", f = 12, y = gappy),
  list(id = "short", f = 4, y = c(5, 7, 6, 9, 8)),
  list(id = "falling", f = 1, y = c(10, 8, 7, 5, 2, 1)),
  list(id = "constant", f = 12, y = rep(3, 30))
)
rows <- character()
for (s in series) {
  y <- ts(s$y, frequency = s$f)
  h <- if (s$f > 1) 2 * s$f else 10
  fns <- list(mean = function() meanf(y, h = h), naive = function() naive(y, h = h),
              snaive = function() snaive(y, h = h), rwf = function() rwf(y, h = h, drift = TRUE))
  for (m in names(fns)) {
    fc <- tryCatch(fns[[m]](), error = function(e) NULL)
    if (is.null(fc)) next
    sigma2 <- if (m == "mean") fc$model$sd^2 else fc$model$sigma2
    rows <- c(rows, paste(s$id, s$f, m, h, vec(s$y), vec(fc$mean), vec(fc$lower[, 1]), vec(fc$upper[, 1]),
                          vec(fc$lower[, 2]), vec(fc$upper[, 2]), num(sigma2), vec(fc$fitted), sep = ","))
  }
}
writeLines(c("unique_id,frequency,method,h,y,mean,lo80,hi80,lo95,hi95,sigma2,fitted", rows), out)
