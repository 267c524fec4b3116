#include "tests/support/process.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <thread>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace sb::test {

namespace {

// Builds the child's environment before fork, because the child may only call
// async-signal-safe functions (no allocation) between fork and exec.
std::vector<std::string> child_environment(const process_options& options) {
  std::vector<std::string> out;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    std::string entry{*e};
    bool replaced = false;
    for (const auto& [name, value] : options.env) {
      replaced = replaced || (entry.size() > name.size() && entry[name.size()] == '=' &&
                              entry.compare(0, name.size(), name) == 0);
    }
    if (!replaced) {
      out.push_back(std::move(entry));
    }
  }
  for (const auto& [name, value] : options.env) {
    out.push_back(name);
    out.back().append("=").append(value);
  }
  return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (auto& s : strings) {
    out.push_back(s.data());
  }
  out.push_back(nullptr);
  return out;
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// Runs in the forked child: only async-signal-safe calls, then exec. Reports a failure to exec
// through `report_fd` (close-on-exec, so the parent reads EOF when exec succeeds).
[[noreturn]] void exec_child(const char* file, char* const* argv, char* const* envp, int in_fd,
                             int out_fd, int err_fd, const char* dir, int report_fd, pid_t parent) {
  // Die with the thread that spawned us, so that a crashed test leaves no servers behind.
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) {
    _exit(127);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT}) {
    sigaction(sig, &dfl, nullptr);
  }
  int err = 0;
  if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
      dup2(err_fd, STDERR_FILENO) < 0 || (dir != nullptr && chdir(dir) != 0)) {
    err = errno;
  } else {
    execvpe(file, argv, envp);
    err = errno;
  }
  ssize_t ignored = write(report_fd, &err, sizeof err);
  (void)ignored;
  _exit(127);
}

}  // namespace

result<process> process::spawn(const std::string& program, const std::vector<std::string>& args,
                               const std::string& log_path) {
  process_options options;
  options.log_path = log_path;
  return spawn(program, args, options);
}

result<process> process::spawn(const std::string& program, const std::vector<std::string>& args,
                               const process_options& options) {
  std::vector<std::string> argv_strings{program};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<std::string> env_strings = child_environment(options);
  std::vector<char*> argv = pointers(argv_strings);
  std::vector<char*> envp = pointers(env_strings);

  int in_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  const char* out_path = options.log_path.empty() ? "/dev/null" : options.log_path.c_str();
  int out_fd = open(out_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int err_fd = options.stderr_path.empty() ? -1
                                           : open(options.stderr_path.c_str(),
                                                  O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  int report[2] = {-1, -1};
  auto close_all = [&] {
    for (int fd : {in_fd, out_fd, err_fd, report[0], report[1]}) {
      if (fd >= 0) {
        close(fd);
      }
    }
  };
  if (in_fd < 0 || out_fd < 0 || (!options.stderr_path.empty() && err_fd < 0) ||
      pipe2(report, O_CLOEXEC) != 0) {
    std::string why = std::strerror(errno);
    close_all();
    return error{errc::internal, "cannot open " + options.log_path + ", " + options.stderr_path +
                                     " or a pipe: " + why};
  }

  const pid_t parent = getpid();
  const char* dir = options.working_dir.empty() ? nullptr : options.working_dir.c_str();
  pid_t pid = fork();
  if (pid < 0) {
    std::string why = std::strerror(errno);
    close_all();
    return error{errc::internal, "fork failed: " + why};
  }
  if (pid == 0) {
    exec_child(program.c_str(), argv.data(), envp.data(), in_fd, out_fd,
               err_fd >= 0 ? err_fd : out_fd, dir, report[1], parent);
  }

  close(report[1]);
  report[1] = -1;
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  close_all();
  process child{pid, options.log_path};
  if (n > 0) {
    static_cast<void>(child.wait_for_exit(std::chrono::seconds{5}));
    return error{errc::not_found, "cannot execute " + program + ": " + std::strerror(child_errno)};
  }
  return child;
}

process::process(process&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      exit_code_(other.exit_code_),
      log_path_(std::move(other.log_path_)) {}

process& process::operator=(process&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) {
      static_cast<void>(kill());
    }
    pid_ = std::exchange(other.pid_, -1);
    exit_code_ = other.exit_code_;
    log_path_ = std::move(other.log_path_);
  }
  return *this;
}

process::~process() {
  if (pid_ > 0) {
    static_cast<void>(kill());
  }
}

bool process::try_reap() {
  if (pid_ <= 0) {
    return true;
  }
  int status = 0;
  pid_t r = 0;
  do {
    r = waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) {
    return false;
  }
  // r < 0 (ECHILD): someone else reaped it; the exit code is lost.
  exit_code_ = r == pid_ ? exit_code_of(status) : -1;
  pid_ = -1;
  return true;
}

bool process::is_running() {
  return !try_reap();
}

result<int> process::wait_for_exit(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds{1};
  while (!try_reap()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return error{errc::timeout, "process " + std::to_string(pid_) + " still runs after " +
                                      std::to_string(timeout.count()) + " ms"};
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::milliseconds{20});
  }
  return exit_code_;
}

result<int> process::terminate(std::chrono::milliseconds grace) {
  if (try_reap()) {
    return exit_code_;
  }
  ::kill(pid_, SIGTERM);
  if (auto code = wait_for_exit(grace); code.ok()) {
    return code;
  }
  return kill();
}

result<int> process::kill() {
  if (try_reap()) {
    return exit_code_;
  }
  ::kill(pid_, SIGKILL);
  // SIGKILL cannot be caught; only a process stuck in the kernel takes longer than this.
  return wait_for_exit(std::chrono::seconds{10});
}

std::string read_tail(const std::string& path, size_t max_bytes) {
  std::ifstream in{path, std::ios::binary | std::ios::ate};
  if (!in) {
    return {};
  }
  const auto size = static_cast<size_t>(in.tellg());
  const size_t start = size > max_bytes ? size - max_bytes : 0;
  in.seekg(static_cast<std::streamoff>(start));
  std::string out(size - start, '\0');
  in.read(out.data(), static_cast<std::streamsize>(out.size()));
  out.resize(static_cast<size_t>(in.gcount()));
  return out;
}

}  // namespace sb::test
