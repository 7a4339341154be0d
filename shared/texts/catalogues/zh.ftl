# fairlink 的中文文案。时间（$time、$local、$beijing）已按中文格式排好；$zone 为时区缩写和名称。

## 账号

welcome-title = 欢迎使用 fairlink
welcome-body = 您的账号已开通。

## 采购需求与匹配

intent-assigned-title = 新的采购需求
intent-assigned-body = 采购需求“{ $intent }”已分配给您。
intent-matched-title = 采购需求匹配
intent-matched-body = 采购需求“{ $intent }”与您的推荐展品匹配（得分 { $score }）。
recommendation-pushed-title = 为您推荐的展品
recommendation-pushed-body = “{ $exhibit }”符合您的采购需求“{ $intent }”。
push-email-subject = fairlink：为“{ $intent }”推荐了 { $count } 件展品
push-email-intro = { $name }，您好：

    根据您的采购需求“{ $intent }”，我们为您推荐以下{ $count ->
       *[other] { $count } 件展品
    }：
push-email-line = - { $exhibit }（{ $score }）：{ $reasons }

## 推荐理由

reason-similar-product = 与您的需求相符的产品
reason-keywords = 匹配词：{ $words }
reason-moq = 起订量 { $moq } { $unit }，在您的 { $quantity } 以内
reason-price = 价格 { $min }–{ $max } { $currency }，在您的目标价内
reason-certifications = 具备 { $names } 认证
reason-market = 销往{ $country }
reason-market-region = 销往{ $country }（{ $region }）

## 计量单位

unit-pieces = { $count ->
       *[other] 件
    }
unit-sets = { $count ->
       *[other] 套
    }
unit-pairs = { $count ->
       *[other] 双
    }
unit-meters = 米
unit-square-meters = 平方米
unit-kilograms = 千克
unit-tons = 吨
unit-rolls = { $count ->
       *[other] 卷
    }
unit-cartons = { $count ->
       *[other] 箱
    }
unit-containers = { $count ->
       *[other] 柜
    }

## 名片与会话

card-received-title = 收到名片
card-received-body = { $sender } 向您发送了名片。
conversation-assigned-title = 新的会话
conversation-assigned-body = 与采购商 { $buyer } 的会话已分配给您。

## 洽谈预约

booking-requested-title = 新的洽谈预约
booking-requested-body = { $buyer } 预约了北京时间 { $beijing } 的洽谈，请指派接待人员。
booking-confirmed-title = 洽谈已确认
booking-confirmed-body = { $exhibitor } 与 { $buyer } 的洽谈已确认（北京时间 { $beijing }）。
booking-cancelled-title = 洽谈已取消
booking-cancelled-body = 北京时间 { $beijing } 的洽谈已取消。

## 洽谈相关的邮件与短信

confirmation-email-subject = 洽谈已确认：{ $exhibitor } / { $buyer }
confirmation-email-body = 您与 { $exhibitor } / { $buyer } 的洽谈已确认。

    时间：{ $local } { $zone }
    北京时间：{ $beijing }

    入会链接：{ $link }
invitation-email-subject = 会议邀请：{ $exhibitor } / { $buyer }
invitation-email-body = { $name }，您好：

    诚邀您参加 { $exhibitor } 与 { $buyer } 的洽谈。

    时间：{ $local } { $zone }
    北京时间：{ $beijing }

    入会链接：{ $link }
reminder-email-subject = 会议提醒：洽谈将于 { $time } 开始
reminder-email-body = { $exhibitor } 与 { $buyer } 的洽谈将在 15 分钟后开始。

    时间：{ $local } { $zone }
    北京时间：{ $beijing }

    入会链接：{ $link }
reminder-sms = fairlink：{ $exhibitor } 与 { $buyer } 的洽谈将于 { $time }（北京时间 { $beijing }）开始。入会：{ $link }

## 国家和地区（ISO 3166-1 二字母代码）

country-US = 美国
country-GB = 英国
country-DE = 德国
country-FR = 法国
country-ES = 西班牙
country-IT = 意大利
country-PT = 葡萄牙
country-NL = 荷兰
country-BE = 比利时
country-PL = 波兰
country-SE = 瑞典
country-RU = 俄罗斯
country-KZ = 哈萨克斯坦
country-BY = 白俄罗斯
country-UA = 乌克兰
country-TR = 土耳其
country-SA = 沙特阿拉伯
country-AE = 阿联酋
country-EG = 埃及
country-MA = 摩洛哥
country-DZ = 阿尔及利亚
country-QA = 卡塔尔
country-KW = 科威特
country-IQ = 伊拉克
country-JO = 约旦
country-NG = 尼日利亚
country-KE = 肯尼亚
country-ZA = 南非
country-SN = 塞内加尔
country-GH = 加纳
country-IN = 印度
country-PK = 巴基斯坦
country-BD = 孟加拉国
country-ID = 印度尼西亚
country-MY = 马来西亚
country-SG = 新加坡
country-TH = 泰国
country-VN = 越南
country-PH = 菲律宾
country-JP = 日本
country-KR = 韩国
country-CN = 中国
country-HK = 中国香港
country-TW = 中国台湾
country-AU = 澳大利亚
country-NZ = 新西兰
country-CA = 加拿大
country-MX = 墨西哥
country-BR = 巴西
country-AR = 阿根廷
country-CL = 智利
country-CO = 哥伦比亚
country-PE = 秘鲁
