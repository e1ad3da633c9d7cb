#pragma once

#include <chrono>
#include <condition_variable>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <string>

namespace zkpp::examples {

inline std::mutex& narration_mutex() {
  static std::mutex m;
  return m;
}

// Prints one line of an example's narrative; callable from any thread.
inline void say(const std::string& line) {
  std::lock_guard lock{narration_mutex()};
  std::cout << "  " << line << std::endl;
}

// What a listener has been told so far: printed as it comes, counted, and
// awaited (with a deadline) by the example's main thread.
class told_log {
 public:
  explicit told_log(std::string who) : who_(std::move(who)) {}

  void told(const std::string& line) {
    say(who_ + ": " + line);
    std::lock_guard lock{m_};
    ++count_;
    cv_.notify_all();
  }
  // Waits until `n` lines were told in all.
  void await(int n) {
    std::unique_lock lock{m_};
    if (!cv_.wait_for(lock, std::chrono::seconds{20}, [&] { return count_ >= n; }))
      throw std::runtime_error(who_ + " was not told in time (" + std::to_string(count_) + " of " +
                               std::to_string(n) + " lines)");
  }

 private:
  std::string who_;
  std::mutex m_;
  std::condition_variable cv_;
  int count_ = 0;
};

}  // namespace zkpp::examples
