#include "runtime/bus.hpp"

#include <future>
#include <memory>

namespace sb {

result<schemas::envelope> bus::request_sync(schemas::envelope env,
                                            std::chrono::milliseconds timeout) {
  auto promise = std::make_shared<std::promise<result<schemas::envelope>>>();
  auto future = promise->get_future();
  request(std::move(env), timeout,
          [promise](result<schemas::envelope> reply) { promise->set_value(std::move(reply)); });
  // The bus guarantees one call of the handler (its own timeout included); the extra margin only
  // guards against a bus that is being torn down underneath us.
  if (future.wait_for(timeout + std::chrono::seconds(5)) != std::future_status::ready) {
    return error{errc::timeout, "no reply and no timeout from the bus"};
  }
  return future.get();
}

}  // namespace sb
