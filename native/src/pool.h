// A persistent pool of worker threads for the fused engine's runs (see fused.cc).
#pragma once
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mlxnuts {

/**
 * A persistent pool of worker threads (created on first use, one per extra core): a run hands each worker one
 * contiguous group of chains and works on the first group itself. Spawning threads per call cost ~100 µs, as
 * much as a warmup iteration of a small model.
 */
class Pool {
 public:
  static Pool& instance() {
    static Pool* p = new Pool();  // never destroyed: workers may still be parked at process exit
    return *p;
  }
  /** Runs job(i) for i in [0, n) with job(0) on the calling thread; returns when all are done. */
  void run(int n, const std::function<void(int)>& job) {
    std::lock_guard<std::mutex> serial(runMutex_);
    grow(n - 1);
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = &job;
      pending_ = n - 1;
      next_ = 1;
      limit_ = n;
      ++generation_;
    }
    cv_.notify_all();
    job(0);
    std::unique_lock<std::mutex> lk(m_);
    done_.wait(lk, [&] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void grow(int want) {
    while (static_cast<int>(workers_.size()) < want) workers_.emplace_back([this] { loop(); });
  }
  void loop() {
    unsigned long long seen = 0;
    for (;;) {
      std::unique_lock<std::mutex> lk(m_);
      cv_.wait(lk, [&] { return generation_ != seen && next_ < limit_; });
      seen = generation_;
      int i = next_++;
      const std::function<void(int)>* job = job_;
      lk.unlock();
      (*job)(i);
      lk.lock();
      if (--pending_ == 0) done_.notify_one();
    }
  }
  std::mutex runMutex_, m_;
  std::condition_variable cv_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int)>* job_ = nullptr;
  int pending_ = 0, next_ = 0, limit_ = 0;
  unsigned long long generation_ = 0;
};

}  // namespace mlxnuts
