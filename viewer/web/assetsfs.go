package web

import "github.com/rtmon/rtmon/viewer/assets"

var assetsFS = assets.Static()
