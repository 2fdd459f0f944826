# A static plugin registry: nginx serving build/registry (`make registry` fills it: <package>/index.json,
# <package>/<version>/<file> and <file>.sha256, the layout `ar serve-registry` serves too).
# Works while build/registry is empty or missing: the glob matches nothing then, and
# registry.Dockerfile is only there so the COPY always has a source (it is removed again).
FROM nginx:1.27-alpine
COPY docker/registry.Dockerfile build/registr[y] /usr/share/nginx/html/
RUN rm -f /usr/share/nginx/html/registry.Dockerfile /usr/share/nginx/html/index.html /usr/share/nginx/html/50x.html \
 && printf '%s\n' \
    'server {' \
    '    listen 80;' \
    '    server_name _;' \
    '    root /usr/share/nginx/html;' \
    '    autoindex on;' \
    '    location / { try_files $uri $uri/ =404; }' \
    '    location ~ /\. { return 404; }' \
    '}' > /etc/nginx/conf.d/default.conf \
 && nginx -t
HEALTHCHECK --interval=15s --timeout=3s --retries=3 CMD wget -q -O /dev/null http://127.0.0.1/ || exit 1
