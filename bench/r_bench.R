#!/usr/bin/env Rscript
# civicast -- R peer for the M1 benchmark.
#
# Fits R's forecast package (ets, thetaf, auto.arima; all defaults) to the train part of
# every M1 series, forecasts the meta horizon h, and scores against the test part.
# Single-threaded: the script re-executes itself with OPENBLAS_NUM_THREADS=1 and
# OMP_NUM_THREADS=1 (auto.arima is called with its default parallel = FALSE).
#
# Usage (from the project root)
#   Rscript bench/r_bench.R [OUT.csv] [--methods ets,theta,arima] [--limit N] [--periods P,...]
#                           [--shared PATH] [--out OUT.csv] [--clock cpu|elapsed]
#     OUT.csv    output file (default bench/out/r_m1.csv; directory created if needed)
#     --methods  comma-separated subset of ets,theta,arima (default: all three)
#     --limit N  only the first N series of each period (m1_meta.csv order), for quick runs
#     --periods  comma-separated subset of the periods of m1_meta.csv (e.g. MONTHLY; default all)
#     --shared   directory holding data/m1/ (default ../shared).  If the M1 data are not
#                there the script prints a message and exits with status 0.
#     --clock    what 'seconds' measures: cpu (default) = user+system CPU time of this R
#                process from proc.time(); elapsed = wall clock.  CPU time is the default
#                because the benchmark machine is shared: under load, wall time was 3-7x the
#                CPU time.  The C peer should report the same kind of clock
#                (e.g. clock_gettime(CLOCK_PROCESS_CPUTIME_ID)) for a fair comparison.
#
# Output CSV columns: unique_id,period,method,seconds,smape,mase
#   seconds  seconds of fit + forecast for that series (CPU by default, see --clock)
#   smape    mean over the h test points of 200*|y-f|/(|y|+|f|)
#   mase     mean|y-f| / mean|x_t - x_{t-m}| over the train part x (m = frequency; m = 1
#            gives the naive scale)
#   A failing fit is reported with seconds measured and smape/mase = NA.
#
# Tested with R 4.2.2 and forecast 8.20 (Debian 12).

if (Sys.getenv("OPENBLAS_NUM_THREADS") != "1") {
  full <- commandArgs(trailingOnly = FALSE)
  file <- sub("^--file=", "", full[grepl("^--file=", full)])
  st <- system2(file.path(R.home("bin"), "Rscript"),
                c(shQuote(file), shQuote(commandArgs(trailingOnly = TRUE))),
                env = c("OPENBLAS_NUM_THREADS=1", "OMP_NUM_THREADS=1"))
  quit(save = "no", status = st)
}

args <- commandArgs(trailingOnly = TRUE)
opt <- list(out = "bench/out/r_m1.csv", methods = "ets,theta,arima", limit = NA,
            shared = "../shared", clock = "cpu", periods = "")
i <- 1
while (i <= length(args)) {
  a <- args[i]
  if (grepl("^--(out|methods|limit|shared|clock|periods)=", a)) {
    k <- sub("^--([a-z]+)=.*", "\\1", a); opt[[k]] <- sub("^--[a-z]+=", "", a); i <- i + 1
  } else if (a %in% c("--out", "--methods", "--limit", "--shared", "--clock", "--periods")) {
    if (i == length(args)) stop("missing value for ", a)
    opt[[sub("^--", "", a)]] <- args[i + 1]; i <- i + 2
  } else if (!startsWith(a, "--")) {
    opt$out <- a; i <- i + 1
  } else stop("unknown argument: ", a)
}
methods <- strsplit(opt$methods, ",", fixed = TRUE)[[1]]
bad <- setdiff(methods, c("ets", "theta", "arima"))
if (length(bad)) stop("unknown method(s): ", paste(bad, collapse = ","))
limit <- as.integer(opt$limit)
if (!opt$clock %in% c("cpu", "elapsed")) stop("--clock must be cpu or elapsed")
clock <- if (opt$clock == "cpu") {
  function() { p <- proc.time(); p[["user.self"]] + p[["sys.self"]] }
} else {
  function() proc.time()[["elapsed"]]
}

m1dir <- file.path(opt$shared, "data", "m1")
if (!file.exists(file.path(m1dir, "m1_meta.csv")) || !file.exists(file.path(m1dir, "m1_series.csv"))) {
  cat(sprintf("M1 data not found in %s (expected m1_meta.csv and m1_series.csv); nothing to benchmark.\n", m1dir))
  quit(save = "no", status = 0)
}

suppressPackageStartupMessages(library(forecast))

meta <- read.csv(file.path(m1dir, "m1_meta.csv"), stringsAsFactors = FALSE)
lng <- read.csv(file.path(m1dir, "m1_series.csv"), stringsAsFactors = FALSE)
lng <- lng[order(lng$unique_id, lng$split, lng$t), ]
train <- split(lng$y[lng$split == "train"], lng$unique_id[lng$split == "train"])
test <- split(lng$y[lng$split == "test"], lng$unique_id[lng$split == "test"])

if (nzchar(opt$periods)) {
  periods <- strsplit(opt$periods, ",", fixed = TRUE)[[1]]
  bad <- setdiff(periods, unique(meta$period))
  if (length(bad)) stop("unknown period(s): ", paste(bad, collapse = ","), "; the data have ",
                        paste(unique(meta$period), collapse = ","))
  meta <- meta[meta$period %in% periods, ]
}
if (!is.na(limit)) {
  meta <- do.call(rbind, lapply(split(meta, factor(meta$period, unique(meta$period))),
                                function(d) head(d, limit)))
}

smape <- function(y, f) mean(200 * abs(y - f) / (abs(y) + abs(f)))
mase <- function(y, f, x, m) {
  if (length(x) <= m) m <- 1
  mean(abs(y - f)) / mean(abs(diff(x, lag = m)))
}
fitfc <- list(
  ets   = function(x, h) forecast(ets(x), h = h)$mean,
  theta = function(x, h) thetaf(x, h = h)$mean,
  arima = function(x, h) forecast(auto.arima(x), h = h)$mean
)

# warm-up (byte-compilation, first-call overheads) on the first series, not recorded
invisible(lapply(methods, function(meth) tryCatch(fitfc[[meth]](
  ts(train[[meta$unique_id[1]]], frequency = meta$frequency[1]), meta$h[1]), error = function(e) NULL)))

dir.create(dirname(opt$out), recursive = TRUE, showWarnings = FALSE)
con <- file(opt$out, "w")
writeLines("unique_id,period,method,seconds,smape,mase", con)
fmt <- function(v) ifelse(is.na(v), "NA", sprintf("%.10g", v))
res <- list()
t_all <- proc.time()[["elapsed"]]
for (j in seq_len(nrow(meta))) {
  id <- meta$unique_id[j]; m <- meta$frequency[j]; h <- meta$h[j]
  x <- ts(train[[id]], frequency = m)
  y <- test[[id]]
  stopifnot(length(x) == meta$n[j], length(y) == h)
  for (meth in methods) {
    t0 <- clock()
    f <- tryCatch(suppressWarnings(as.numeric(fitfc[[meth]](x, h))), error = function(e) NULL)
    sec <- clock() - t0
    s <- if (is.null(f)) NA_real_ else smape(y, f)
    q <- if (is.null(f)) NA_real_ else mase(y, f, as.numeric(x), m)
    writeLines(sprintf("%s,%s,%s,%s,%s,%s", id, meta$period[j], meth, fmt(sec), fmt(s), fmt(q)), con)
    res[[length(res) + 1]] <- data.frame(period = meta$period[j], method = meth,
                                         seconds = sec, smape = s, mase = q)
  }
  if (j %% 100 == 0) { flush(con); message(sprintf("  %d/%d series", j, nrow(meta))) }
}
close(con)

r <- do.call(rbind, res)
cat(sprintf("R %s, forecast %s; %d series; wrote %s (%.1f s elapsed); 'seconds' = %s time\n",
            getRversion(), packageVersion("forecast"), nrow(meta), opt$out,
            proc.time()[["elapsed"]] - t_all, opt$clock))
cat(sprintf("%-10s %-6s %7s %10s %9s %8s %6s\n", "period", "method", "series", "seconds",
            "sMAPE", "MASE", "fails"))
for (meth in methods) for (p in c(unique(meta$period), "ALL")) {
  d <- r[r$method == meth & (p == "ALL" | r$period == p), ]
  if (!nrow(d)) next
  cat(sprintf("%-10s %-6s %7d %10.2f %9.3f %8.3f %6d\n", p, meth, nrow(d), sum(d$seconds),
              mean(d$smape, na.rm = TRUE), mean(d$mase[is.finite(d$mase)]), sum(is.na(d$smape))))
}
