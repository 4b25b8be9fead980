# Cold-start init of Lambda bootstraps: the time from spawning each binary to
# its first poll of the runtime API, served here by a minimal runtime API.
# Usage: python3 scripts/lambda_init.py BINARY...
import http.server, os, subprocess, sys, threading, time
first = {}
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        first.setdefault('t', time.perf_counter())
        time.sleep(0.05); self.send_response(500); self.end_headers()
    def log_message(self, *a): pass
srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
threading.Thread(target=srv.serve_forever, daemon=True).start()
port = srv.server_address[1]
env = dict(PATH='/usr/bin:/bin', AWS_LAMBDA_FUNCTION_VERSION='1', AWS_LAMBDA_FUNCTION_MEMORY_SIZE='1024',
  AWS_LAMBDA_RUNTIME_API=f'http://127.0.0.1:{port}', AWS_REGION='us-east-1', AWS_ACCESS_KEY_ID='x', AWS_SECRET_ACCESS_KEY='y',
  COURSEGEN_TABLE='t', COURSEGEN_BUCKET='b', COURSEGEN_STATE_MACHINE_ARN='arn:aws:states:us-east-1:123456789012:stateMachine:m',
  COURSEGEN_JWT_ISSUER='https://issuer.example', COURSEGEN_JWT_AUDIENCE='aud')
# The webhook function reads its secret at init: pass where it is.
for name in ('COURSEGEN_WEBHOOK_SECRET_ARN', 'AWS_ENDPOINT_URL_SECRETS_MANAGER', 'COURSEGEN_PUNCTUATION_DIR'):
    if name in os.environ: env[name] = os.environ[name]
for b in sys.argv[1:]:
    env['AWS_LAMBDA_FUNCTION_NAME'] = os.path.basename(b)
    xs = []
    for _ in range(15):
        first.clear(); t0 = time.perf_counter()
        p = subprocess.Popen([b], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while 't' not in first and time.perf_counter() - t0 < 5: time.sleep(0.0005)
        p.kill(); p.wait()
        xs.append((first.get('t', t0 + 5) - t0) * 1000)
    xs.sort()
    print(f"{os.path.basename(b):15} median {xs[len(xs)//2]:6.1f} ms  min {xs[0]:6.1f}  max {xs[-1]:6.1f}")
