# Shared by the bench scripts (sourced, not run).

# mysqld_cpu: CPU seconds (user + system) MariaDB's server has used so far
# (0 when no server process is found), so a run's share of the database's
# work is the difference of two readings.
mysqld_cpu() {
  local pid
  pid=$(pidof mariadbd mysqld 2> /dev/null | cut -d' ' -f1 || true)
  if [[ -z "$pid" ]]; then
    echo 0
    return
  fi
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$pid/stat" 2> /dev/null || echo 0
}
