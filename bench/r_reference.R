#!/usr/bin/env Rscript
# civicast -- R reference fixtures generator.
#
# Purpose
#   Produce the reference values that civicast's C implementation of ETS, Theta and
#   (later) ARIMA is validated against.  R is NOT a runtime dependency of civicast: this
#   script is run by a developer, once, and its output (tests/fixtures/*.csv) is committed.
#   The C test-suite reads only tests/fixtures/ and must not need R or /work/shared.
#
# Usage (from the project root)
#   Rscript bench/r_reference.R [--shared ../shared] [--out tests/fixtures]
#
#   --shared PATH  directory that contains data/m1/{m1_meta.csv,m1_series.csv}
#                  (default ../shared).  Without it only R's own datasets are used and a
#                  message says so.
#   --out PATH     output directory (default tests/fixtures).
#
# Produced with
#   R 4.2.2 Patched (2022-11-10 r83330), forecast 8.20 (Debian 12 package r-cran-forecast),
#   OpenBLAS 0.3.21 forced to one thread (the script re-executes itself with
#   OPENBLAS_NUM_THREADS=1 / OMP_NUM_THREADS=1 so results do not depend on threading).
#   The script is deterministic: no simulation is used (all selected ETS models have
#   analytic prediction-interval variances: classes 1-3), and the seed is fixed anyway.
#
# Series selected (see also tests/fixtures/README.md)
#   (a) R 'datasets' package: every univariate ts with frequency 1, 4 or 12 (uspop has
#       frequency 0.1 = decadal and is treated as frequency 1) and length >= 16:
#       AirPassengers BJsales BJsales.lead JohnsonJohnson LakeHuron Nile UKDriverDeaths
#       UKgas USAccDeaths WWWusage airmiles austres co2 discoveries fdeaths freeny.y
#       ldeaths lh lynx mdeaths nhtemp nottem presidents sunspot.month sunspot.year
#       treering uspop.  ('sunspots' is left out: it covers the same months as the
#       first 2820 values of sunspot.month -- 143 values differ by revision -- and would
#       only add ~0.2 MB of near-duplicate data to the fixtures.)
#       Notes: discoveries, sunspot.month, sunspot.year and treering contain
#       zeros (or values <= 0) -> multiplicative-error models are not admissible.
#       presidents contains 6 NAs -> ets() uses na.contiguous(), thetaf() fails (acf
#       with na.fail), auto.arima() handles the NAs in its likelihood.
#       Every series is re-built as ts(as.numeric(x), frequency = f) (start = 1), so its
#       start date does not matter: everything below depends on position only.
#   (b) M1 (train parts): per period (YEARLY/QUARTERLY/MONTHLY, in m1_meta.csv order)
#       the series at positions unique(round(seq(1, N, length.out = 74))), plus the two
#       shortest and the longest series of that period (ties: first in file order).
#
# Outputs (numbers with 17 significant digits, vectors ';'-separated, NA as NA)
#   ref_index.csv  ref_series.csv  ref_ets.csv  ref_theta.csv  ref_arima.csv  ref_misc.csv
#   Columns are documented in tests/fixtures/README.md.

## ---- re-exec single-threaded -------------------------------------------------------
if (Sys.getenv("OPENBLAS_NUM_THREADS") != "1") {
  full <- commandArgs(trailingOnly = FALSE)
  file <- sub("^--file=", "", full[grepl("^--file=", full)])
  st <- system2(file.path(R.home("bin"), "Rscript"),
                c(shQuote(file), shQuote(commandArgs(trailingOnly = TRUE))),
                env = c("OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1"))
  quit(save = "no", status = st)
}

suppressPackageStartupMessages(library(forecast))
set.seed(20240101)
t_start <- proc.time()[["elapsed"]]

## ---- arguments ---------------------------------------------------------------------
args <- commandArgs(trailingOnly = TRUE)
opt <- list(shared = "../shared", out = "tests/fixtures")
i <- 1
while (i <= length(args)) {
  a <- args[i]
  if (a %in% c("--shared", "--out") && i < length(args)) {
    opt[[sub("^--", "", a)]] <- args[i + 1]; i <- i + 2
  } else if (grepl("^--(shared|out)=", a)) {
    k <- sub("^--([a-z]+)=.*", "\\1", a); opt[[k]] <- sub("^--[a-z]+=", "", a); i <- i + 1
  } else stop("unknown argument: ", a)
}
dir.create(opt$out, recursive = TRUE, showWarnings = FALSE)

## ---- formatting helpers ------------------------------------------------------------
num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.na(x), "NA", sprintf("%.17g", x))
}
vec <- function(x) if (length(x) == 0 || is.null(x)) "NA" else paste(num(x), collapse = ";")
csvq <- function(s) {           # quote a string field if needed
  s <- ifelse(is.na(s), "NA", as.character(s))
  need <- grepl("[,\"\n]", s)
  s[need] <- paste0("\"", gsub("\"", "\"\"", s[need]), "\"")
  s
}
write_rows <- function(rows, file) {
  # rows: list of named character vectors (all same names)
  hdr <- names(rows[[1]])
  con <- file(file, "w")
  writeLines(paste(hdr, collapse = ","), con)
  for (r in rows) writeLines(paste(csvq(r[hdr]), collapse = ","), con)
  close(con)
}
errmsg <- function(e) gsub("[\r\n]+", " ", conditionMessage(e))

## ---- series selection --------------------------------------------------------------
period_of <- function(f) c("1" = "YEARLY", "4" = "QUARTERLY", "12" = "MONTHLY")[[as.character(f)]]
hdefault <- function(f) if (f == 1) 6L else as.integer(2 * f)

series <- list()
ds_names <- c("AirPassengers", "UKgas", "nottem", "USAccDeaths", "co2", "ldeaths",
              "mdeaths", "fdeaths", "JohnsonJohnson", "UKDriverDeaths", "lynx", "Nile",
              "LakeHuron", "WWWusage", "austres", "BJsales", "uspop", "sunspot.year",
              "nhtemp", "airmiles")
# every other univariate ts in 'datasets' with frequency 1/4/12 and length >= 16
all_ds <- sub(" .*", "", data(package = "datasets")$results[, "Item"])
for (nm in sort(all_ds)) {
  x <- get(nm, envir = as.environment("package:datasets"))
  if (is.ts(x) && is.null(dim(x)) && frequency(x) %in% c(1, 4, 12) && length(x) >= 16 &&
      !(nm %in% ds_names) && nm != "sunspots") ds_names <- c(ds_names, nm)
}
for (nm in ds_names) {
  x <- get(nm, envir = as.environment("package:datasets"))
  f <- frequency(x)
  if (f == 0.1) f <- 1            # uspop: decennial census, treat as yearly
  series[[length(series) + 1]] <- list(id = nm, source = "datasets", period = period_of(f),
                                       freq = f, y = as.numeric(x), h = hdefault(f))
}

m1dir <- file.path(opt$shared, "data", "m1")
if (file.exists(file.path(m1dir, "m1_meta.csv"))) {
  meta <- read.csv(file.path(m1dir, "m1_meta.csv"), stringsAsFactors = FALSE)
  lng <- read.csv(file.path(m1dir, "m1_series.csv"), stringsAsFactors = FALSE)
  tr <- lng[lng$split == "train", ]
  tr <- tr[order(tr$unique_id, tr$t), ]
  ys <- split(tr$y, tr$unique_id)
  for (p in c("YEARLY", "QUARTERLY", "MONTHLY")) {
    mp <- meta[meta$period == p, ]
    N <- nrow(mp)
    idx <- unique(round(seq(1, N, length.out = 74)))
    o <- order(mp$n, seq_len(N))                 # shortest first, ties by file order
    idx <- sort(unique(c(idx, o[1:2], order(-mp$n, seq_len(N))[1])))
    for (j in idx) {
      id <- mp$unique_id[j]
      y <- ys[[id]]
      stopifnot(length(y) == mp$n[j])
      series[[length(series) + 1]] <- list(id = id, source = "M1", period = p,
                                           freq = mp$frequency[j], y = y, h = as.integer(mp$h[j]))
    }
  }
} else {
  message("M1 data not found under ", m1dir, " -- only R datasets series are used.")
}
stopifnot(!anyDuplicated(vapply(series, `[[`, "", "id")))
message(sprintf("%d series selected", length(series)))

## ---- ETS helpers -------------------------------------------------------------------
LOWER <- c(rep(1e-04, 3), 0.8)
UPPER <- c(rep(0.9999, 3), 0.98)

# starting values exactly as forecast:::etsmodel builds them (bounds = "both")
ets_start <- function(y, e, t, s, d) {
  m <- if (s != "N") frequency(y) else 1
  par <- forecast:::initparam(NULL, NULL, NULL, NULL, t, s, d, LOWER, UPPER, m, "both")
  st <- forecast:::initstate(y, t, s)
  full <- st
  if (s != "N") full <- c(st, m * (s == "M") - sum(st[(2 + (t != "N")):length(st)]))
  g <- function(k) if (is.na(par[k])) NULL else unname(par[k])
  lik <- forecast:::pegelsresid.C(y, m, full, e, t, s, d, g("alpha"), g("beta"),
                                  g("gamma"), g("phi"), 3)$lik
  list(par = c(par, st), lik = lik)
}

# analytic forecast variance exactly as forecast.ets dispatches it
ets_var <- function(fit, h) {
  n <- length(fit$x)
  cp <- fit$components
  d <- as.logical(cp[4])
  ls <- fit$states[n + 1, ]
  if (cp[1] == "A" && cp[2] %in% c("A", "N") && cp[3] %in% c("N", "A"))
    return(forecast:::class1(h, ls, cp[2], cp[3], d, fit$m, fit$sigma2, fit$par)$var)
  if (cp[1] == "M" && cp[2] %in% c("A", "N") && cp[3] %in% c("N", "A"))
    return(forecast:::class2(h, ls, cp[2], cp[3], d, fit$m, fit$sigma2, fit$par)$var)
  if (cp[1] == "M" && cp[3] == "M" && cp[2] != "M")
    return(forecast:::class3(h, ls, cp[2], cp[3], d, fit$m, fit$sigma2, fit$par)$var)
  rep(NA_real_, h)
}

# textbook point forecasts from the final state x_n (Hyndman et al. 2008, Table 2.1):
#   trend A: l + phi_h b, trend M: l b^phi_h, phi_h = phi + phi^2 + ... + phi^h;
#   seasonal index for step i: s_{m - ((i-1) mod m)} in R's state order s1..sm.
# (forecast's own C 'etsforecast' is NOT used: it accumulates phi_2 = 2*phi, see
#  bench/R_ETS_NOTES.md section 7.)
ets_point <- function(fit, h) {
  cp <- fit$components
  phi <- if (as.logical(cp[4])) fit$par[["phi"]] else 1
  x <- fit$states[length(fit$x) + 1, ]
  l <- x[[1]]; b <- if (cp[2] != "N") x[[2]] else 0
  ph <- cumsum(phi^(1:h))
  f <- switch(cp[2], N = rep(l, h), A = l + ph * b, M = l * b^ph)
  if (cp[3] != "N") {
    m <- fit$m
    s <- x[(length(x) - m + 1):length(x)]
    si <- s[m - ((1:h) - 1) %% m]
    f <- if (cp[3] == "A") f + si else f * si
  }
  unname(f)
}

ets_row <- function(sr, spec, fitfun) {
  y <- ts(sr$y, frequency = sr$freq)
  row <- c(unique_id = sr$id, spec = spec, frequency = sr$freq, n = NA, h = sr$h,
           method = NA, error = NA, trend = NA, season = NA, damped = NA, fallback = NA,
           alpha = NA, beta = NA, gamma = NA, phi = NA, loglik = NA, aic = NA, aicc = NA,
           bic = NA, sigma2 = NA, mse = NA, amse = NA, npar = NA, initstate = NA,
           laststate = NA, start_par = NA, start_objective = NA, nm_value = NA,
           nm_fncount = NA, nm_fail = NA, mean = NA, lo80 = NA, hi80 = NA, lo95 = NA,
           hi95 = NA, var = NA, point = NA, fit_error = NA)
  fit <- tryCatch(suppressWarnings(fitfun(y)), error = function(e) e)
  if (inherits(fit, "error")) { row["fit_error"] <- errmsg(fit); return(row) }
  yu <- fit$x
  cp <- fit$components
  row[c("n", "method", "error", "trend", "season", "damped")] <-
    c(length(yu), as.character(fit), cp[1], cp[2], cp[3], cp[4])
  fb <- !is.null(fit$SSE)                  # HoltWintersZZ object (the "too short" path)
  row["fallback"] <- if (fb) "HoltWintersZZ" else "none"
  p <- fit$par
  for (k in c("alpha", "beta", "gamma", "phi")) row[k] <- num(if (k %in% names(p)) p[[k]] else NA)
  if (!fb) {
    row[c("loglik", "aic", "aicc", "bic", "mse", "amse")] <-
      num(c(fit$loglik, fit$aic, fit$aicc, fit$bic, fit$mse, fit$amse))
    row["npar"] <- length(fit$par) + 1     # counted in aic/bic/aicc (includes sigma)
    row[c("nm_value", "nm_fncount", "nm_fail")] <- num(c(fit$fit$value, fit$fit$fncount, fit$fit$fail))
    st <- tryCatch(ets_start(yu, cp[1], cp[2], cp[3], as.logical(cp[4])), error = function(e) NULL)
    if (!is.null(st)) { row["start_par"] <- vec(st$par); row["start_objective"] <- num(st$lik) }
  }
  row["sigma2"] <- num(fit$sigma2)
  row["initstate"] <- vec(fit$initstate)
  row["laststate"] <- vec(fit$states[length(yu) + 1, ])
  fc <- tryCatch(forecast(fit, h = sr$h, level = c(80, 95)), error = function(e) e)
  if (inherits(fc, "error")) { row["fit_error"] <- paste("forecast:", errmsg(fc)); return(row) }
  row[c("mean", "lo80", "hi80", "lo95", "hi95")] <-
    c(vec(fc$mean), vec(fc$lower[, 1]), vec(fc$upper[, 1]), vec(fc$lower[, 2]), vec(fc$upper[, 2]))
  row["var"] <- vec(tryCatch(ets_var(fit, sr$h), error = function(e) NA))
  # textbook point forecasts; they differ from the reported mean only for class-3 models
  # (M,N,M / M,A,M / M,Ad,M), so they are written only then ("same" otherwise)
  pt <- tryCatch(ets_point(fit, sr$h), error = function(e) rep(NA_real_, sr$h))
  same <- all(abs(pt - as.numeric(fc$mean)) <= 1e-12 * pmax(1, abs(pt)))
  row["point"] <- if (isTRUE(same)) "same" else vec(pt)
  row
}

## ---- Theta helpers -----------------------------------------------------------------
theta_row <- function(sr) {
  x <- ts(sr$y, frequency = sr$freq)
  h <- sr$h
  row <- c(unique_id = sr$id, frequency = sr$freq, n = length(x), h = h,
           seasonal_test = NA, acf_m = NA, acf_stat = NA, deseasonalised = NA,
           seasonal_figure = NA, seasonal_fc = NA, ses_method = NA, ses_alpha = NA,
           ses_l0 = NA, ses_sigma2 = NA, ses_last_level = NA, lsfit_intercept = NA,
           lsfit_slope = NA, drift_b0 = NA, reproduced_maxabs = NA, mean = NA,
           lo80 = NA, hi80 = NA, lo95 = NA, hi95 = NA, fit_error = NA)
  fc <- tryCatch(suppressWarnings(thetaf(x, h = h, level = c(80, 95))), error = function(e) e)
  if (inherits(fc, "error")) { row["fit_error"] <- errmsg(fc); return(row) }
  row[c("mean", "lo80", "hi80", "lo95", "hi95")] <-
    c(vec(fc$mean), vec(fc$lower[, 1]), vec(fc$upper[, 1]), vec(fc$lower[, 2]), vec(fc$upper[, 2]))
  # --- re-derive thetaf's intermediates (mirrors forecast::thetaf, forecast 8.20) ---
  n <- length(x); m <- frequency(x)
  seasonal <- FALSE
  if (m > 1 && !is.constant(x) && n > 2 * m) {
    r <- as.numeric(acf(x, lag.max = m, plot = FALSE)$acf)[-1]
    stat <- sqrt((1 + 2 * sum(r[-m]^2)) / n)
    seasonal <- (abs(r[m]) / stat > qnorm(0.95))
    row[c("acf_m", "acf_stat")] <- num(c(r[m], stat))
  }
  row["seasonal_test"] <- seasonal
  xs <- x; deseas <- FALSE
  if (seasonal) {
    dec <- decompose(x, type = "multiplicative")
    row["seasonal_figure"] <- vec(dec$figure)
    # thetaf multiplies the forecasts by these whenever the test says 'seasonal', even
    # when it skipped the adjustment because an index was < 1e-4 (R behaviour, kept)
    row["seasonal_fc"] <- vec(rep(tail(dec$seasonal, m), trunc(1 + h / m))[1:h])
    if (!any(abs(dec$seasonal) < 1e-04)) { xs <- seasadj(dec); deseas <- TRUE }
  }
  row["deseasonalised"] <- deseas
  sf <- ets(xs, "ANN", opt.crit = "mse")
  row["ses_method"] <- if (!is.null(sf$SSE)) "HoltWintersZZ" else "ets(ANN,opt.crit=mse)"
  a <- max(1e-10, sf$par[["alpha"]])
  co <- lsfit(0:(n - 1), xs)$coefficients
  row[c("ses_alpha", "ses_l0", "ses_sigma2", "ses_last_level", "lsfit_intercept",
        "lsfit_slope", "drift_b0")] <-
    num(c(a, sf$initstate[["l"]], sf$sigma2, sf$states[n + 1, "l"], co[[1]], co[[2]], co[[2]] / 2))
  mu <- sf$states[n + 1, "l"] + co[[2]] / 2 * (0:(h - 1) + (1 - (1 - a)^n) / a)
  if (seasonal) mu <- mu * rep(tail(dec$seasonal, m), trunc(1 + h / m))[1:h]
  row["reproduced_maxabs"] <- num(max(abs(mu - as.numeric(fc$mean))))
  row
}

## ---- ARIMA helpers -----------------------------------------------------------------
arima_row <- function(sr) {
  y <- ts(sr$y, frequency = sr$freq)
  row <- c(unique_id = sr$id, frequency = sr$freq, n = length(y), h = sr$h, method = NA,
           p = NA, d = NA, q = NA, P = NA, D = NA, Q = NA, m = NA, include_mean = NA,
           include_drift = NA, coef = NA, loglik = NA, aic = NA, aicc = NA, bic = NA,
           sigma2 = NA, mean = NA, lo80 = NA, hi80 = NA, lo95 = NA, hi95 = NA, fit_error = NA)
  fit <- tryCatch(suppressWarnings(auto.arima(y)), error = function(e) e)
  if (inherits(fit, "error")) { row["fit_error"] <- errmsg(fit); return(row) }
  a <- fit$arma                       # p, q, P, Q, m, d, D
  cf <- coef(fit)
  row[c("method", "p", "d", "q", "P", "D", "Q", "m")] <-
    c(as.character(fit), a[1], a[6], a[2], a[3], a[7], a[4], a[5])
  row["include_mean"] <- "intercept" %in% names(cf)
  row["include_drift"] <- "drift" %in% names(cf)
  row["coef"] <- if (length(cf)) paste(paste0(names(cf), "=", num(cf)), collapse = ";") else ""
  row[c("loglik", "aic", "aicc", "bic", "sigma2")] <-
    num(c(fit$loglik, fit$aic, fit$aicc, fit$bic, fit$sigma2))
  fc <- tryCatch(forecast(fit, h = sr$h, level = c(80, 95)), error = function(e) e)
  if (inherits(fc, "error")) { row["fit_error"] <- paste("forecast:", errmsg(fc)); return(row) }
  row[c("mean", "lo80", "hi80", "lo95", "hi95")] <-
    c(vec(fc$mean), vec(fc$lower[, 1]), vec(fc$upper[, 1]), vec(fc$lower[, 2]), vec(fc$upper[, 2]))
  row
}

## ---- main loop ---------------------------------------------------------------------
idx_rows <- list(); ser_lines <- character(0)
ets_rows <- list(); th_rows <- list(); ar_rows <- list()
timing <- c(ets = 0, theta = 0, arima = 0)
for (k in seq_along(series)) {
  sr <- series[[k]]
  idx_rows[[k]] <- c(unique_id = sr$id, source = sr$source, period = sr$period,
                     frequency = sr$freq, n = length(sr$y), h = sr$h,
                     n_na = sum(is.na(sr$y)), min_y = num(min(sr$y, na.rm = TRUE)))
  ser_lines <- c(ser_lines, paste(sr$id, sr$freq, seq_along(sr$y), num(sr$y), sep = ","))
  pos <- all(sr$y > 0, na.rm = TRUE)

  t0 <- proc.time()[["elapsed"]]
  ets_rows[[length(ets_rows) + 1]] <- ets_row(sr, "auto", function(y) ets(y))
  ets_rows[[length(ets_rows) + 1]] <- ets_row(sr, "ANN", function(y) ets(y, model = "ANN"))
  ets_rows[[length(ets_rows) + 1]] <- ets_row(sr, "AAdN", function(y) ets(y, model = "AAN", damped = TRUE))
  if (sr$freq > 1 && pos)
    ets_rows[[length(ets_rows) + 1]] <- ets_row(sr, "MAM", function(y) ets(y, model = "MAM", damped = FALSE))
  t1 <- proc.time()[["elapsed"]]
  th_rows[[k]] <- theta_row(sr)
  t2 <- proc.time()[["elapsed"]]
  ar_rows[[k]] <- arima_row(sr)
  t3 <- proc.time()[["elapsed"]]
  timing <- timing + c(t1 - t0, t2 - t1, t3 - t2)
  if (k %% 25 == 0) message(sprintf("  %d/%d  (%s)", k, length(series), sr$id))
}

## ---- ref_misc: helper values for a handful of series -------------------------------
misc_ids <- c("AirPassengers", "UKgas", "nottem", "USAccDeaths", "co2", "JohnsonJohnson",
              "Nile", "lynx")
m1q <- Filter(function(s) s$source == "M1" && s$freq == 4, series)
m1m <- Filter(function(s) s$source == "M1" && s$freq == 12, series)
if (length(m1q)) misc_ids <- c(misc_ids, m1q[[which.min(vapply(m1q, function(s) length(s$y), 1))]]$id)
if (length(m1m)) misc_ids <- c(misc_ids, m1m[[1]]$id)
misc <- list()
addm <- function(id, q, v) misc[[length(misc) + 1]] <<- c(unique_id = id, quantity = q, values = vec(v))
for (id in misc_ids) {
  sr <- series[[which(vapply(series, `[[`, "", "id") == id)]]
  y <- ts(sr$y, frequency = sr$freq); m <- sr$freq; n <- length(y)
  addm(id, sprintf("acf_lag0_to_%d", max(2 * m, 10)), acf(y, lag.max = max(2 * m, 10), plot = FALSE)$acf)
  if (m > 1 && n >= 2 * m) {
    addm(id, "decompose_mult_figure", decompose(y, "multiplicative")$figure)
    addm(id, "decompose_add_figure", decompose(y, "additive")$figure)
    addm(id, "decompose_mult_trend", decompose(y, "multiplicative")$trend)
  }
  seas <- if (m > 1) c("N", "A", "M") else "N"
  for (tt in c("N", "A", "M")) for (ss in seas) {
    v <- tryCatch(forecast:::initstate(y, tt, ss), error = function(e) NA)
    addm(id, sprintf("initstate_trend%s_season%s", tt, ss), v)
  }
  for (mm in unique(c(1, m))) for (tt in c("N", "A")) for (ss in if (mm > 1) c("N", "A") else "N")
    for (dd in if (tt == "A") c(FALSE, TRUE) else FALSE) {
      v <- forecast:::initparam(NULL, NULL, NULL, NULL, tt, ss, dd, LOWER, UPPER, mm, "both")
      addm(id, sprintf("initparam_m%d_trend%s_season%s_damped%s", mm, tt, ss, dd), v)
    }
  if (m > 1 && n < 3 * m) {
    X <- fourier(y, 1)
    addm(id, "initstate_short_tslm_coef", coef(tslm(y ~ trend + X)))
  }
}

## ---- write -------------------------------------------------------------------------
write_rows(idx_rows, file.path(opt$out, "ref_index.csv"))
con <- file(file.path(opt$out, "ref_series.csv"), "w")
writeLines(c("unique_id,frequency,t,y", ser_lines), con); close(con)
write_rows(ets_rows, file.path(opt$out, "ref_ets.csv"))
write_rows(th_rows, file.path(opt$out, "ref_theta.csv"))
write_rows(ar_rows, file.path(opt$out, "ref_arima.csv"))
write_rows(misc, file.path(opt$out, "ref_misc.csv"))

message(sprintf("timing (elapsed s): ets %.1f  theta %.1f  arima %.1f  total %.1f",
                timing[["ets"]], timing[["theta"]], timing[["arima"]],
                proc.time()[["elapsed"]] - t_start))
message(sprintf("R %s, forecast %s", getRversion(), packageVersion("forecast")))
