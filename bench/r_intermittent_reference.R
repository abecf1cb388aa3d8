#!/usr/bin/env Rscript
# civicast -- R reference values for the intermittent-demand methods
# (models/intermittent.c).
#
# Writes tests/fixtures/ref_intermittent.csv: for a handful of intermittent
# series (R's own examples and hand-made ones: lumpy, a single demand, no
# demand, demand that dies out), one row per method with the point forecast
# and the one-step fitted values:
#   croston  forecast::croston(y, h, alpha)            (R 4.2.2, forecast 8.20)
#   sba      forecast::croston(...)$mean * (1 - alpha/2) and the same factor on
#            its fitted values (Syntetos & Boylan 2005; forecast 8.20 has no
#            type = "sba")
#   tsb      Teunter, Syntetos & Babai (2011) written out below from the
#            paper's equations (R has no TSB in forecast; tsintermittent is not
#            packaged in Debian), start p0 = share of non-zero periods, z0 =
#            mean demand size
#   adida    Nikolopoulos et al. (2011): non-overlapping buckets of k ending at
#            the last value, bucket series by SBA (its ADI >= 1.32) or by
#            forecast::ses(alpha, initial = "simple"), divided by k
#   imapa    Petropoulos & Kourentzes (2015): mean of ADIDA over k = 1..K
# Run once by a developer (R is not a test dependency):
#   Rscript bench/r_intermittent_reference.R [OUT]
# Numbers with 17 significant digits, vectors ';'-separated, NA as NA.
suppressPackageStartupMessages(library(forecast))
args <- commandArgs(trailingOnly = TRUE)
out <- if (length(args)) args[1] else "tests/fixtures/ref_intermittent.csv"
num <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", as.numeric(x)))
vec <- function(x) paste(num(x), collapse = ";")

set.seed(20261203)
lumpy <- rbinom(60, 1, 0.3) * rpois(60, 12)
sparse <- rbinom(72, 1, 0.15) * (1 + rpois(72, 2))
dying <- c(rbinom(48, 1, 0.6) * rpois(48, 4), rbinom(24, 1, 0.1) * rpois(24, 2))
series <- list(
  list(id = "lumpy", y = lumpy),
  list(id = "sparse", y = sparse),
  list(id = "dying", y = dying),
  list(id = "textbook", y = c(0, 0, 3, 0, 0, 0, 1, 0, 2, 0, 0, 5, 0, 0, 0, 0, 4, 0, 1, 0, 0, 0, 2, 0)),
  list(id = "single", y = c(0, 0, 0, 7, 0, 0, 0, 0)),
  list(id = "nodemand", y = rep(0, 12)),
  list(id = "smoothish", y = c(5, 3, 6, 4, 0, 7, 5, 6, 3, 4, 8, 2, 5, 0, 6, 4))
)

sba_factor <- function(alpha) 1 - alpha / 2
adi_of <- function(x) {                 # periods from the first demand / demands
  nz <- which(x > 0)
  if (!length(nz)) return(NA)
  (length(x) - nz[1] + 1) / length(nz)
}
tsb <- function(x, alpha, beta) {
  nz <- x[x > 0]
  n <- length(x)
  if (!length(nz)) return(list(mean = 0, fitted = rep(0, n)))
  p <- length(nz) / n; z <- mean(nz)
  fit <- numeric(n)
  for (t in seq_len(n)) {
    fit[t] <- p * z
    if (x[t] > 0) { p <- p + beta * (1 - p); z <- z + alpha * (x[t] - z) } else p <- p - beta * p
  }
  list(mean = p * z, fitted = fit)
}
sba_or_ses <- function(a, alpha) {      # the per-level estimator of ADIDA
  adi <- adi_of(a)
  if (is.na(adi) || adi >= 1.32) {
    r <- croston(a, h = 1, alpha = alpha)
    list(mean = as.numeric(r$mean[1]) * sba_factor(alpha), fitted = as.numeric(r$fitted) * sba_factor(alpha))
  } else if (length(a) == 1) {
    list(mean = a[1], fitted = NA)
  } else {
    r <- ses(a, h = 1, alpha = alpha, initial = "simple")
    list(mean = as.numeric(r$mean[1]), fitted = c(NA, as.numeric(fitted(r))[-1]))
  }
}
adida <- function(x, k, alpha) {
  n <- length(x); B <- n %/% k; head <- n - B * k
  a <- sapply(seq_len(B), function(b) sum(x[head + (b - 1) * k + 1:k]))
  r <- sba_or_ses(a, alpha)
  fit <- c(rep(NA, head), rep(r$fitted, each = k)) / k
  list(mean = r$mean / k, fitted = fit)
}
imapa <- function(x, K, alpha) {
  fs <- lapply(1:K, function(k) adida(x, k, alpha))
  list(mean = mean(sapply(fs, `[[`, "mean")), fitted = rowMeans(sapply(fs, `[[`, "fitted")))
}

rows <- character()
add <- function(id, method, spec, y, mean, fitted)
  rows <<- c(rows, paste(id, method, paste0("\"", spec, "\""), vec(y), num(mean), vec(fitted), sep = ","))
for (s in series) {
  y <- s$y
  for (alpha in c(0.1, 0.3)) {
    r <- croston(y, h = 5, alpha = alpha)
    add(s$id, "croston", sprintf("croston(alpha=%g)", alpha), y, r$mean[1], r$fitted)
    add(s$id, "sba", sprintf("sba(alpha=%g)", alpha), y, r$mean[1] * sba_factor(alpha), r$fitted * sba_factor(alpha))
  }
  for (ab in list(c(0.1, 0.1), c(0.3, 0.05))) {
    r <- tsb(y, ab[1], ab[2])
    add(s$id, "tsb", sprintf("tsb(alpha=%g,beta=%g)", ab[1], ab[2]), y, r$mean, r$fitted)
  }
  adi <- adi_of(y)
  kd <- if (is.na(adi)) 1 else max(1, floor(adi + 0.5))
  r <- adida(y, min(kd, length(y)), 0.1)
  add(s$id, "adida", "adida", y, r$mean, r$fitted)
  r <- adida(y, 3, 0.2)
  add(s$id, "adida", "adida(k=3,alpha=0.2)", y, r$mean, r$fitted)
  K <- min(length(y), if (is.na(adi)) 2 else max(2, ceiling(adi)))
  r <- imapa(y, K, 0.1)
  add(s$id, "imapa", "imapa", y, r$mean, r$fitted)
}
writeLines(c("unique_id,method,spec,y,mean,fitted", rows), out)
cat(sprintf("wrote %s (%d rows)\n", out, length(rows)))
